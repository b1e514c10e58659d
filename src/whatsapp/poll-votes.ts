/**
 * Poll decoding at the adapter edge (#14): the stored raw protos of a poll and of its votes, and vote
 * decryption (WhatsApp encrypts each vote under a key derived from the poll's message secret, the poll
 * id and the creator's and voter's JIDs). Pure: no I/O.
 */
import { decryptPollVote, proto } from '@whiskeysockets/baileys';

export interface StoredPoll {
  keyId: string;
  question: string;
  options: string[];
  /** 1 = single choice, 0 = any number. */
  selectableCount: number;
  secret: Uint8Array;
}

export interface StoredVote {
  pollKeyId: string;
  encPayload: Uint8Array;
  encIv: Uint8Array;
  senderTimestampMs: number;
}

export function readPoll(raw: Uint8Array): StoredPoll | null {
  const info = proto.WebMessageInfo.decode(raw);
  const m = info.message;
  const c = m?.pollCreationMessage ?? m?.pollCreationMessageV3 ?? m?.pollCreationMessageV2;
  const secret = m?.messageContextInfo?.messageSecret;
  if (!info.key?.id || !c || !secret) return null;
  return { keyId: info.key.id, question: c.name ?? '', options: (c.options ?? []).map((o) => o.optionName ?? ''), selectableCount: c.selectableOptionsCount ?? 0, secret };
}

/**
 * A vote history sync handed over decrypted (stored as a WebMessageInfo whose `pollUpdates[0]` holds it):
 * the selected options (SHA-256 of their names, hex) and when; null for an encrypted vote.
 */
export function readDecryptedVote(raw: Uint8Array): { pollKeyId: string | null; selected: string[]; senderTimestampMs: number } | null {
  const info = proto.WebMessageInfo.decode(raw);
  const u = info.pollUpdates?.[0];
  if (info.message?.pollUpdateMessage || !u?.vote) return null;
  return {
    pollKeyId: info.key?.id ?? null,
    selected: (u.vote.selectedOptions ?? []).map((o) => Buffer.from(o).toString('hex')),
    senderTimestampMs: Number(u.senderTimestampMs ?? 0),
  };
}

/** A decrypted vote from history sync, in the form `readDecryptedVote` reads (the key names the poll). */
export function encodeDecryptedVote(pollKeyId: string, update: proto.IPollUpdate): Uint8Array {
  return proto.WebMessageInfo.encode({ key: { id: pollKeyId }, pollUpdates: [update] }).finish();
}

export function readVote(raw: Uint8Array): StoredVote | null {
  const u = proto.WebMessageInfo.decode(raw).message?.pollUpdateMessage;
  const id = u?.pollCreationMessageKey?.id;
  if (!id || !u.vote?.encPayload || !u.vote.encIv) return null;
  return { pollKeyId: id, encPayload: u.vote.encPayload, encIv: u.vote.encIv, senderTimestampMs: Number(u.senderTimestampMs ?? 0) };
}

/**
 * The selected options (SHA-256 of their names, hex) of a vote, trying each candidate creator/voter JID
 * form (phone JID or LID, as the voter's phone wrote them): GCM authentication rejects wrong ones.
 * null when none fits.
 */
export function decryptVote(vote: StoredVote, poll: StoredPoll, creators: readonly string[], voters: readonly string[]): string[] | null {
  for (const pollCreatorJid of creators) {
    for (const voterJid of voters) {
      try {
        const v = decryptPollVote({ encPayload: vote.encPayload, encIv: vote.encIv }, { pollCreatorJid, pollMsgId: poll.keyId, pollEncKey: poll.secret, voterJid });
        return (v.selectedOptions ?? []).map((o) => Buffer.from(o).toString('hex'));
      } catch {
        // wrong JID pair
      }
    }
  }
  return null;
}
