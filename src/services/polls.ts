/**
 * Poll tallies (#14): a poll's options and who currently votes for what. Votes stay encrypted in the store
 * (WhatsApp encrypts each under a key derived from the poll's message secret, the poll id and the creator's
 * and voter's JIDs) and are decrypted here, when read; a voter's newest vote counts.
 */
import { createHash } from 'node:crypto';
import type { Message, Store } from '../store/index.js';
import { decryptVote, readPoll, readVote } from '../whatsapp/poll-votes.js';

export interface OwnIds {
  id?: string | null;
  lid?: string | null;
}

export interface PollTally {
  question: string;
  multiple: boolean;
  /** Option names in the poll's order, each with the canonical JIDs of its current voters. */
  options: Array<{ name: string; voters: string[] }>;
  /** People whose newest vote selects at least one option. */
  voters: number;
  /** Stored votes that could not be decrypted (another poll secret or unknown JID forms). */
  undecryptable: number;
}

/** A person's JID forms (phone JID, LID, raw) as they may appear inside the encrypted vote key. */
function forms(store: Store, ...ids: Array<string | null | undefined>): string[] {
  const out = new Set<string>();
  for (const id of ids) {
    if (!id || id === 'me') continue;
    const bare = id.replace(/:\d+@/, '@');
    out.add(bare);
    const canonical = store.identity.resolve(bare);
    if (canonical) out.add(canonical);
    const lid = canonical ? store.identity.lidFor(canonical) : undefined;
    if (lid) out.add(lid);
  }
  return [...out];
}

/**
 * Tally of a stored poll; null when the stored copy lacks its options or secret. `legacyVotes` are votes
 * stored as messages by schema versions before 6 (get_poll_results still reads them).
 */
export function tallyPoll(store: Store, poll: Message, me: OwnIds | null | undefined, legacyVotes: Iterable<Message> = []): PollTally | null {
  const raw = store.messages.getRaw(poll.id);
  const stored = raw ? readPoll(raw) : null;
  if (!stored) return null;
  const byHash = new Map(stored.options.map((name) => [createHash('sha256').update(name).digest('hex'), name]));
  // Own messages are stored under our JID when it was known at ingest, so `from` serves even without `me`.
  const mine = forms(store, me?.id, me?.lid);
  const self = me?.id ? (store.identity.resolve(me.id.replace(/:\d+@/, '@')) ?? 'me') : null;
  const creators = poll.fromMe ? [...new Set([...mine, ...forms(store, poll.from)])] : forms(store, poll.from);
  const latest = new Map<string, { at: number; selected: string[] }>();
  let undecryptable = 0;
  const consider = (voterJid: string, fromMe: boolean, at: number, voteRaw: Uint8Array | null) => {
    const vote = voteRaw ? readVote(voteRaw) : null;
    if (!vote || vote.pollKeyId !== stored.keyId) return;
    const voter = fromMe ? (self ?? voterJid) : voterJid;
    const selected = decryptVote(vote, stored, creators, fromMe ? [...new Set([...mine, ...forms(store, voterJid)])] : forms(store, voterJid));
    if (selected === null) {
      undecryptable++;
      return;
    }
    const when = vote.senderTimestampMs || at;
    const prev = latest.get(voter);
    if (!prev || prev.at <= when) latest.set(voter, { at: when, selected: selected.map((h) => byHash.get(h) ?? '').filter((n) => n !== '') });
  };
  for (const v of legacyVotes) consider(v.from, v.fromMe, v.timestamp, store.messages.getRaw(v.id));
  for (const v of store.messages.pollVotes(poll.id)) consider(v.voter, v.fromMe, v.timestamp, v.raw);
  return {
    question: stored.question,
    multiple: stored.selectableCount !== 1,
    options: stored.options.map((name) => ({ name, voters: [...latest].filter(([, v]) => v.selected.includes(name)).map(([jid]) => jid) })),
    voters: [...latest.values()].filter((v) => v.selected.length > 0).length,
    undecryptable,
  };
}
