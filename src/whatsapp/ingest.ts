/**
 * Writes what the socket reports into the store: history sets (batched), chats, contacts, LID↔phone
 * mappings, messages (upsert, edits, revokes, reactions), statuses from updates and receipts, groups.
 * Each Baileys event batch becomes a handful of store calls, each of them one SQLite transaction (history
 * messages in slices sized by time); batches are applied in arrival order (`handle`).
 */
import { jidNormalizedUser, proto, type BaileysEventMap, type GroupMetadata, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys';
import type { AccountEvent } from '../../machines/events.js';
import type { Logger } from '../logger.js';
import type { ChatPresenceState, MessageInput, MessageStatus, PollVoteInput, ReactionInput, Store } from '../store/index.js';
import {
  chatJidOf,
  lidPairsOf,
  mapStatus,
  messageId,
  toChatInput,
  toChatUpdateInput,
  toContactInput,
  toGroupInput,
  timestampMs,
  toMessageInput,
  toPollVoteInput,
  toReactionInput,
} from './mapping.js';
import { encodeDecryptedVote } from './poll-votes.js';

/** Baileys' presence words → ours (`paused` means they stopped typing but are still there). */
const PRESENCE_STATES: Partial<Record<string, ChatPresenceState>> = {
  composing: 'typing',
  recording: 'recording',
  paused: 'online',
  available: 'online',
  unavailable: 'offline',
};

const notNull = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

/** Own sends stored by `ownSend` whose socket echo is still to come (bounded: an echo may never arrive). */
const ECHO_MEMORY = 1_000;
/** Messages stored by `commitNow` whose buffered upsert is still to come: an offline catch-up buffers them all (bounded). */
const EARLY_MEMORY = 50_000;

/**
 * History messages written per transaction, with a turn of the event loop between slices: a 2,000-message
 * chunk in one transaction held the loop for ~0.5 s under load (health checks and MCP calls waited). A
 * crash mid-chunk keeps the slices already written (each is whole); re-delivered messages merge.
 * The slice adapts so one transaction takes about HISTORY_SLICE_TARGET_MS (fixed slices measured at 200k
 * messages, load ~1.5: 500 → loop p99 88 ms, 125 → 53 ms, 64 → 43 ms at −11 % throughput; see BENCHMARKS.md).
 * A worker-thread writer was measured too and dropped: it stalled a sync in 3 of ~25 runs (BENCHMARKS.md).
 */
const HISTORY_SLICE_TARGET_MS = 5;
const HISTORY_SLICE_MIN = 32;
const HISTORY_SLICE_MAX = 1_000;
/**
 * Time for upkeep steps after a history set (one loop turn each; live events wait behind the set): what is
 * left is done between the next set's slices, or by FTS5's automerge in later commits.
 */
const HISTORY_UPKEEP_DRAIN_MS = 100;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const keyOf = (msg: WAMessage): string => `${msg.key?.remoteJid ?? ''}|${msg.key?.id ?? ''}`;

export class Ingestor {
  private ownJid: string | null = null;
  private readonly awaitingEcho = new Set<string>();
  /** Messages committed by `commitNow`: their later, buffered upsert is written again without a notification. */
  private readonly committedEarly = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly onMessages?: (chatIds: string[]) => void,
    /** Account facts seen in the socket's events (WhatsApp refusing our sends): to the supervisor. */
    private readonly onAccount?: (event: AccountEvent) => void,
  ) {}

  setOwnJid(jid: string | null): void {
    this.ownJid = jid;
  }

  /**
   * A message we just sent, stored at once (so a read right after the send sees it). Baileys also
   * emits it as a `messages.upsert` echo; that echo is skipped so one send is one write and one
   * notification.
   */
  ownSend(msg: WAMessage): void {
    // The echo may have come first, through commitNow (which stored and notified it): write quietly.
    if (this.committedEarly.has(keyOf(msg))) {
      this.messages([msg], 'append', false);
      return;
    }
    if (msg.key?.id) {
      this.awaitingEcho.add(msg.key.id);
      if (this.awaitingEcho.size > ECHO_MEMORY) this.awaitingEcho.delete(this.awaitingEcho.values().next().value as string);
    }
    this.messages([msg], 'append');
  }

  /**
   * Called synchronously from inside the socket, before the message's receipt is allowed out
   * (baileys/durable-receipts.ts): stores the upserted messages now, in one transaction, and notifies.
   * Throws when the store cannot write: the receipt is then never sent and the server redelivers.
   * Baileys emits the same messages again later through its event buffer (`handle`).
   */
  commitNow(upsert: BaileysEventMap['messages.upsert']): void {
    const fresh = upsert.messages.filter((m) => !this.isEcho(m));
    if (fresh.length) this.messages(fresh, upsert.type);
    for (const m of upsert.messages) {
      this.committedEarly.add(keyOf(m));
      if (this.committedEarly.size > EARLY_MEMORY) this.committedEarly.delete(this.committedEarly.values().next().value as string);
    }
  }

  private isEcho(msg: WAMessage): boolean {
    const id = msg.key?.id;
    return Boolean(msg.key?.fromMe && id && this.awaitingEcho.delete(id));
  }

  /**
   * Applies event batches one after another, in arrival order. Baileys does not wait for one batch's
   * handler before calling the next, and a history batch yields between its slices, so this chain is
   * what keeps the order (an edit or revoke never overtakes its target). Rejects when the store fails.
   */
  handle(events: Partial<BaileysEventMap>, refreshGroup: (jid: string) => void): Promise<void> {
    const run = this.chain.then(() => this.apply(events, refreshGroup));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private chain: Promise<void> = Promise.resolve();

  private async apply(events: Partial<BaileysEventMap>, refreshGroup: (jid: string) => void): Promise<void> {
    const history = events['messaging-history.set'];
    if (history) {
      // Each part in its own loop turn: a set follows the previous one at once (ordered ingest), and Baileys
      // reports ~1,100 contacts and chats with every 2,000-message chunk (~6 ms each to upsert at 1M).
      await yieldToLoop();
      for (const m of history.lidPnMappings ?? []) this.link(m.lid, m.pn);
      this.store.contacts.upsertContacts(history.contacts.map(toContactInput).filter(notNull));
      await yieldToLoop();
      this.store.chats.upsertChats(history.chats.map(toChatInput).filter(notNull));
      // Bulk mode: index merges and key moves run as their own small steps between slices and WAL
      // checkpoints on a thread, not inside the slices' commits (store/repos/index-maintenance.ts).
      // Upkeep is optional work: if it fails, the history is still written (WhatsApp does not send a set
      // twice), with FTS5 and SQLite doing that work inside commits as they do without bulk mode.
      let upkeep: Store['maintenance'] | null = history.messages.length > 0 ? this.store.maintenance : null;
      const leaveBulk = () => {
        try {
          this.store.maintenance.setBulk(false);
        } catch (err) {
          this.log.warn({ err }, 'leaving bulk mode failed; the store restores it when it next opens');
        }
      };
      const upkeepStep = (): boolean => {
        try {
          return upkeep?.step() ?? false;
        } catch (err) {
          this.log.warn({ err }, 'index upkeep failed; the rest of this history set is written without bulk mode');
          upkeep = null;
          leaveBulk();
          return false;
        }
      };
      try {
        upkeep?.setBulk(true);
      } catch (err) {
        this.log.warn({ err }, 'bulk mode unavailable; writing history without it');
        upkeep = null;
        leaveBulk();
      }
      try {
        for (let i = 0; i < history.messages.length; ) {
          await yieldToLoop();
          const size = this.historySlice;
          const t0 = performance.now();
          this.messages(history.messages.slice(i, i + size), 'history');
          i += size;
          // Next slice sized for the target time, changing at most 2× per step (one FTS merge spike must
          // not collapse it). Kept across sets: the cost per message grows with the store.
          const ratio = Math.min(2, Math.max(0.5, HISTORY_SLICE_TARGET_MS / Math.max(0.1, performance.now() - t0)));
          this.historySlice = Math.min(HISTORY_SLICE_MAX, Math.max(HISTORY_SLICE_MIN, Math.round(size * ratio)));
          if (upkeep) {
            await yieldToLoop();
            upkeepStep();
          }
        }
        // What is left, for a bounded time: live events queue behind this set (ordered ingest).
        const drainEnd = performance.now() + HISTORY_UPKEEP_DRAIN_MS;
        while (upkeep && performance.now() < drainEnd && upkeepStep()) await yieldToLoop();
      } finally {
        leaveBulk();
      }
      this.log.info(
        { chats: history.chats.length, contacts: history.contacts.length, messages: history.messages.length, progress: history.progress },
        'history sync ingested',
      );
    }
    const mapping = events['lid-mapping.update'];
    if (mapping) this.link(mapping.lid, mapping.pn);
    if (events['contacts.upsert']) this.store.contacts.upsertContacts(events['contacts.upsert'].map(toContactInput).filter(notNull));
    if (events['contacts.update']) this.store.contacts.upsertContacts(events['contacts.update'].map(toContactInput).filter(notNull));
    // Live chat events carry unread increments and read marks, not counts (history sync carries counts).
    if (events['chats.upsert']) this.store.chats.upsertChats(events['chats.upsert'].map(toChatUpdateInput).filter(notNull));
    if (events['chats.update']) this.store.chats.upsertChats(events['chats.update'].map(toChatUpdateInput).filter(notNull));
    const upsert = events['messages.upsert'];
    if (upsert) {
      // Already stored by commitNow: written again quietly (an idempotent merge), which keeps any update
      // Baileys merged into them while they sat in its buffer.
      const early = upsert.messages.filter((m) => this.committedEarly.delete(keyOf(m)));
      if (early.length) this.messages(early, upsert.type, false);
      const fresh = upsert.messages.filter((m) => !early.includes(m) && !this.isEcho(m));
      if (fresh.length) this.messages(fresh, upsert.type);
    }
    if (events['messages.update']) this.updates(events['messages.update']);
    if (events['message-receipt.update']) this.receipts(events['message-receipt.update']);
    // `messages.reaction` repeats what the upserted reaction message already said (stored by `messages`).
    // `messages.delete` is "delete for me" from app state (the phone, or our own delete_message): local only;
    // a revoke ("for everyone") arrives as a protocol message / REVOKE stub instead.
    const del = events['messages.delete'];
    if (del && 'keys' in del) {
      const chats = new Set<string>();
      for (const key of del.keys) {
        const chat = chatJidOf(key);
        if (chat && key.id && this.store.messages.applyDeleteForMe(messageId(chat, key.id), Date.now())) chats.add(chat);
      }
      if (chats.size && this.onMessages) this.onMessages([...chats]);
    }
    if (events['presence.update']) this.presence(events['presence.update']);
    if (events['groups.upsert']) this.groups(events['groups.upsert']);
    if (events['groups.update']) this.groups(events['groups.update']);
    const participants = events['group-participants.update'];
    // The event carries only the delta; fetch the full list so the stored membership stays exact.
    if (participants) refreshGroup(participants.id);
  }

  /** History slice size, adapted to HISTORY_SLICE_TARGET_MS per transaction. */
  private historySlice = 128;

  private link(lid: string, pn: string): void {
    try {
      this.store.identity.link(jidNormalizedUser(lid), jidNormalizedUser(pn));
    } catch (err) {
      this.log.debug({ err }, 'ignored malformed LID mapping');
    }
  }

  /**
   * Upserts messages. Protocol messages become edits/revokes of their targets, reactions attach to their
   * target and poll votes to their poll (neither is a message of its own: no row, no unread, never a chat's
   * last message); reactions and votes that history sync carries on the message itself are applied too.
   */
  messages(msgs: WAMessage[], kind: string, notify = true): void {
    const inputs: MessageInput[] = [];
    const reactions: ReactionInput[] = [];
    const votes: PollVoteInput[] = [];
    const touched = new Set<string>();
    for (const msg of msgs) {
      if (msg.key) for (const p of lidPairsOf(msg.key)) this.link(p.lid, p.pn);
      const proto_ = msg.message?.protocolMessage;
      const chat = msg.key ? chatJidOf(msg.key) : null;
      if (proto_ && chat && proto_.key?.id) {
        const target = messageId(chat, proto_.key.id);
        const at = timestampMs(msg.messageTimestamp ?? 0) || Date.now();
        if (proto_.type === proto.Message.ProtocolMessage.Type.REVOKE) {
          if (this.mayChange(target, msg.key, 'revoke') && this.store.messages.applyRevoke(target, at)) touched.add(chat);
          continue;
        }
        if (proto_.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT && proto_.editedMessage) {
          const edited = toMessageInput({ key: msg.key, message: proto_.editedMessage } as WAMessage, this.ownJid);
          const editedAt = Number(proto_.timestampMs ?? 0) || at;
          if (edited && this.mayChange(target, msg.key, 'edit') && this.store.messages.applyEdit(target, edited.body ?? '', editedAt)) touched.add(chat);
          continue;
        }
      }
      const reaction = toReactionInput(msg, this.ownJid);
      if (reaction) {
        reactions.push(reaction);
        continue;
      }
      const vote = toPollVoteInput(msg, this.ownJid);
      if (vote) {
        votes.push(vote);
        continue;
      }
      const input = toMessageInput(msg, this.ownJid);
      if (!input) continue;
      inputs.push(input);
      touched.add(input.chatId);
      // History sync hands a poll's votes over decrypted, on the poll itself.
      for (const u of msg.pollUpdates ?? []) {
        const k = u.pollUpdateMessageKey;
        if (!k) continue;
        const own = Boolean(k.fromMe);
        const from = own ? this.ownJid : k.participant ? jidNormalizedUser(k.participant) : k.remoteJid ? jidNormalizedUser(k.remoteJid) : null;
        votes.push({ chatId: input.chatId, pollKeyId: input.keyId, from, fromMe: own, timestamp: Number(u.senderTimestampMs ?? 0) || input.timestamp, raw: encodeDecryptedVote(input.keyId, u) });
      }
      for (const r of msg.reactions ?? []) {
        if (!r.key) continue;
        const own = Boolean(r.key.fromMe);
        const from = own ? this.ownJid : r.key.participant ? jidNormalizedUser(r.key.participant) : r.key.remoteJid ? jidNormalizedUser(r.key.remoteJid) : null;
        reactions.push({ chatId: input.chatId, targetKeyId: input.keyId, from, fromMe: own, emoji: r.text ?? '', timestamp: Number(r.senderTimestampMs ?? 0) || input.timestamp });
      }
    }
    if (inputs.length) this.store.messages.upsertMessages(inputs);
    if (reactions.length) for (const c of this.store.messages.applyReactions(reactions)) touched.add(c);
    if (votes.length) for (const c of this.store.messages.applyPollVotes(votes)) touched.add(c);
    // Live messages (not history sync) tell MCP subscribers and the auto-downloader; the store already
    // created a chat row for any chat first seen through a message.
    if (notify && kind !== 'history' && this.onMessages && touched.size) this.onMessages([...touched]);
  }

  private updates(updates: BaileysEventMap['messages.update']): void {
    const statuses: Array<{ id: string; status: MessageStatus }> = [];
    for (const { key, update } of updates) {
      const chat = chatJidOf(key);
      if (!chat || !key.id) continue;
      const id = messageId(chat, key.id);
      const status = mapStatus(update.status ?? null);
      if (status) statuses.push({ id, status });
      // Baileys writes these updates under the editor's / revoker's key with the target's id.
      if (update.messageStubType === proto.WebMessageInfo.StubType.REVOKE && this.mayChange(id, key, 'revoke')) this.store.messages.applyRevoke(id, Date.now());
      const edited = update.message?.editedMessage?.message ?? update.message?.protocolMessage?.editedMessage;
      if (edited && this.mayChange(id, key, 'edit')) {
        const input = toMessageInput({ key, message: edited } as WAMessage, this.ownJid);
        if (input) this.store.messages.applyEdit(id, input.body ?? '', Date.now());
      }
    }
    if (statuses.length) this.store.messages.updateStatuses(statuses);
  }

  /**
   * An own send answered with an error ack (the socket reads the raw ack). 463 (reachout timelock / missing
   * privacy token: new chats are blocked, existing ones work) and 429 (rate overlimit) are account
   * restrictions the supervisor keeps. WhatsApp does not say when they end here: we assume 24 h for 463
   * and 10 min for 429 (a later refusal extends it; RESET clears it). Other codes are per-message failures.
   * `to` / `keyId` (the ack's `from` and `id`) name the refused message.
   */
  sendRefused(code: string, to?: string, keyId?: string): void {
    // The message itself failed (any error code): shown as `error` instead of staying `pending`.
    if (to && keyId) {
      try {
        this.store.messages.updateStatuses([{ id: messageId(jidNormalizedUser(to), keyId), status: 'error' }]);
      } catch (err) {
        this.log.debug({ err }, 'could not mark a refused send');
      }
    }
    const rule = code === '463' ? { kind: 'reachout_timelock' as const, holdMs: 24 * 3_600_000 } : code === '429' ? { kind: 'rate_overlimit' as const, holdMs: 600_000 } : null;
    if (!rule || !this.onAccount) return;
    this.log.warn({ code }, 'WhatsApp refused a send: account restricted');
    this.onAccount({ type: 'ACCOUNT.RESTRICTED', kind: rule.kind, until: Date.now() + rule.holdMs, detail: `ack error ${code}` });
  }

  private receipts(receipts: BaileysEventMap['message-receipt.update']): void {
    const statuses: Array<{ id: string; status: MessageStatus }> = [];
    for (const { key, receipt } of receipts) {
      const chat = chatJidOf(key);
      if (!chat || !key.id) continue;
      const status: MessageStatus | null = receipt.playedTimestamp
        ? 'played'
        : receipt.readTimestamp
          ? 'read'
          : receipt.receiptTimestamp
            ? 'delivered'
            : null;
      if (status) statuses.push({ id: messageId(chat, key.id), status });
    }
    if (statuses.length) this.store.messages.updateStatuses(statuses);
  }

  /**
   * WhatsApp's rule, checked again here since a client can put any key in a protocol message: only the
   * author edits a message; the author or (in a group) an admin revokes it. Unknown targets pass (the
   * store then finds nothing to change).
   */
  private mayChange(targetId: string, by: WAMessageKey, kind: 'edit' | 'revoke'): boolean {
    const target = this.store.messages.get(targetId);
    if (!target) return true;
    const actor = toMessageInput({ key: by, message: { conversation: '' } } as WAMessage, this.ownJid);
    if (!actor) return false;
    const sameAuthor = target.fromMe ? actor.fromMe : !actor.fromMe && actor.from !== null && actor.from !== undefined && this.store.identity.resolve(actor.from) === target.from;
    if (sameAuthor) return true;
    if (kind === 'revoke' && !actor.fromMe && actor.from) {
      const who = this.store.identity.resolve(actor.from);
      const admin = this.store.groups.get(target.chatId)?.participants.some((p) => p.id === who && p.role !== 'member');
      if (admin) return true;
    }
    if (kind === 'revoke' && actor.fromMe && target.chatId.endsWith('@g.us')) return true; // we revoked as admin (checked before sending)
    this.log.warn({ kind, target: targetId }, 'ignored an edit/revoke by someone who is not the author');
    return false;
  }

  /** Typing / recording / online / last seen: kept in memory by the store (never written to disk). */
  private presence(update: BaileysEventMap['presence.update']): void {
    const canon = (jid: string) => {
      const n = jidNormalizedUser(jid);
      return this.store.identity.resolve(n) ?? n;
    };
    if (!update.id) return;
    const chat = canon(update.id);
    for (const [participant, p] of Object.entries(update.presences)) {
      const state = PRESENCE_STATES[p.lastKnownPresence];
      if (!state) continue;
      this.store.presence.update(chat, { jid: canon(participant), state, ...(typeof p.lastSeen === 'number' && p.lastSeen > 0 ? { lastSeen: timestampMs(p.lastSeen) } : {}) });
    }
  }

  groups(metas: Array<Partial<GroupMetadata>>): void {
    const inputs = metas.map(toGroupInput).filter(notNull);
    if (inputs.length === 0) return;
    this.store.groups.upsertGroups(inputs);
    this.store.chats.upsertChats(inputs.map((g) => ({ id: g.id, name: g.subject ?? null, isGroup: true })));
  }
}
