/**
 * Outbound WhatsApp actions beyond plain text and media (issue #14): react, edit, delete, forward,
 * location, contact card, poll, presence, number check. Every write takes the send path of
 * send_message: strict target validation first, then the idempotency guard, the open-state check
 * (retryable error) and a per-call timeout. What WhatsApp answers is stored by the adapter.
 */
import { join } from 'node:path';
import { invalidInput, withTimeout } from '../errors.js';
import { jidKind, jidUser, type Message } from '../store/index.js';
import type { ChatChange, OutgoingAction, OutgoingMedia, PresenceState, SentMessage } from '../whatsapp/gateway.js';
import { requireMayWrite, requireOpen, type ServiceDeps } from './context.js';
import type { Idempotency } from './idempotency.js';
import type { MessagesService } from './messages.js';
import { LiveWrite } from './live-write.js';
import { tallyPoll } from './polls.js';
import { resolveRecipient } from './recipient.js';

/** WhatsApp accepts edits of one's own message for 15 minutes after sending. */
export const EDIT_WINDOW_MS = 15 * 60_000;
/** "Delete for everyone" is offered for about 2 days and 12 hours after sending. */
export const REVOKE_WINDOW_MS = 60 * 60 * 60_000;

export interface ActionResult {
  /** The message acted on (reaction, edit, delete) or the new message (forward, location, contact, poll). */
  messageId: string;
  chatId: string;
  timestamp: number;
  deduplicated: boolean;
  idempotencyKey: string | null;
}

export type PresenceInputState = 'typing' | 'recording' | 'paused' | 'available' | 'unavailable';

export interface PollResults {
  messageId: string;
  chatId: string;
  question: string;
  multiple: boolean;
  options: Array<{ name: string; votes: number; voters: Array<{ jid: string; name: string }> }>;
  /** People whose newest vote selects at least one option. */
  voters: number;
  /** Stored votes that could not be decrypted (another poll secret or unknown JID forms). */
  undecryptable: number;
}

export interface NumberCheck {
  input: string;
  phone: string;
  exists: boolean;
  jid: string | null;
}

const MEDIA_KINDS = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const CONTENT_TYPES = new Set(['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contact', 'poll']);
const EMOJI = /^(\p{Extended_Pictographic}|\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3)/u;
const PRESENCE: Record<PresenceInputState, PresenceState> = {
  typing: 'composing',
  recording: 'recording',
  paused: 'paused',
  available: 'available',
  unavailable: 'unavailable',
};

function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** Phone digits (E.164 without "+") from "+44 7911 123456", "0044…" is refused: the country code must be explicit. */
export function phoneDigits(input: string): string | null {
  const s = input.trim();
  if (!/^\+?[\d\s().-]+$/.test(s)) return null;
  const digits = s.replace(/\D/g, '');
  return /^[1-9]\d{6,14}$/.test(digits) ? digits : null;
}

/** vCard 3.0 text value escaping (RFC 2426 §4): backslash, comma, semicolon. */
function vcardText(v: string): string {
  return v.replace(/[\\,;]/g, (c) => `\\${c}`);
}

export function buildVcard(name: string, phone: string): string {
  return ['BEGIN:VCARD', 'VERSION:3.0', `FN:${vcardText(name)}`, `TEL;type=CELL;type=VOICE;waid=${phone}:+${phone}`, 'END:VCARD'].join('\n');
}

export class ActionsService {
  private readonly live: LiveWrite;

  constructor(
    private readonly deps: ServiceDeps,
    idempotency: Idempotency,
    private readonly messages: MessagesService,
  ) {
    this.live = new LiveWrite(deps, idempotency);
  }

  // ---- acting on a stored message ----------------------------------------------------------------

  async react(input: { messageId: string; emoji: string; idempotencyKey?: string }): Promise<ActionResult & { emoji: string }> {
    const target = this.target(input.messageId, 'react to');
    const emoji = input.emoji.trim();
    if (emoji !== '' && !this.isOneEmoji(emoji)) {
      throw invalidInput(`"${input.emoji}" is not a single emoji`, 'Pass one emoji such as 👍 or ❤️, or "" to remove your reaction');
    }
    const r = await this.live.once('react_to_message', input.idempotencyKey, { target: target.id, emoji }, () => {
      this.requireNotRevoked(target, 'react to');
      return this.live.call('reaction', () => this.deps.gateway.sendAction(target.chatId, { kind: 'reaction', targetId: target.id, emoji }));
    });
    return { ...this.onTarget(target, r), emoji };
  }

  async edit(input: { messageId: string; text: string; idempotencyKey?: string }): Promise<ActionResult & { editedAt: number }> {
    const target = this.target(input.messageId, 'edit');
    if (!target.fromMe) {
      throw invalidInput('This message was sent by someone else; WhatsApp only lets you edit your own messages', 'Pick one of your own messages (fromMe: true)');
    }
    if (target.type !== 'text') {
      throw invalidInput(`Only text messages can be edited; this one is ${target.type}`, 'Send a new message instead');
    }
    if (input.text.trim().length === 0) throw invalidInput('The new text is empty', 'Pass the corrected text, or use delete_message to remove the message');
    // Time- and state-dependent checks run inside the idempotency guard: a retry of a call that already
    // succeeded returns its result even after the window closed.
    const r = await this.live.once('edit_message', input.idempotencyKey, { target: target.id, text: input.text }, () => {
      this.requireNotRevoked(target, 'edit');
      if (Date.now() - target.timestamp > EDIT_WINDOW_MS) {
        throw invalidInput(
          `This message was sent at ${isoOf(target.timestamp)}; WhatsApp allows edits only within 15 minutes of sending`,
          'Send a correction as a new message (quote it with quoted_message_id)',
        );
      }
      return this.live.call('edit', () => this.deps.gateway.sendAction(target.chatId, { kind: 'edit', targetId: target.id, text: input.text }));
    });
    return { ...this.onTarget(target, r), editedAt: r.timestamp };
  }

  async delete(input: { messageId: string; forEveryone: boolean; idempotencyKey?: string }): Promise<ActionResult & { forEveryone: boolean }> {
    const target = this.target(input.messageId, 'delete');
    if (!input.forEveryone) {
      // "Delete for me": an app-state change on this account only (the phone and linked devices apply it).
      const r = await this.live.once('delete_message', input.idempotencyKey, { target: target.id, forEveryone: false }, async () => {
        this.requireNotRevoked(target, 'delete');
        await this.live.call('delete', () => this.deps.gateway.modifyChat(target.chatId, { kind: 'deleteForMe', messageId: target.id }));
        return { id: target.id, chatId: target.chatId, keyId: '', timestamp: Date.now() } satisfies SentMessage;
      });
      return { ...this.onTarget(target, r), forEveryone: false };
    }
    const r = await this.live.once('delete_message', input.idempotencyKey, { target: target.id, forEveryone: true }, async () => {
      this.requireNotRevoked(target, 'delete');
      if (Date.now() - target.timestamp > REVOKE_WINDOW_MS) {
        throw invalidInput(`This message was sent at ${isoOf(target.timestamp)}; WhatsApp offers "delete for everyone" only for about 2.5 days after sending`, '');
      }
      if (!target.fromMe) await this.requireGroupAdmin(target);
      return this.live.call('delete', () => this.deps.gateway.sendAction(target.chatId, { kind: 'revoke', targetId: target.id }));
    });
    return { ...this.onTarget(target, r), forEveryone: true };
  }

  async forward(input: { messageId: string; recipient: string; idempotencyKey?: string }): Promise<ActionResult & { sourceId: string }> {
    const source = this.target(input.messageId, 'forward');
    const chatId = resolveRecipient(this.deps.store, input.recipient);
    if (source.type === 'poll') throw invalidInput('Polls cannot be forwarded', 'Create a new poll with send_poll');
    // Media is forwarded by reference (WhatsApp's own way: the stored media keys); without the stored
    // proto, the downloaded copy is uploaded again.
    let file: OutgoingMedia | undefined;
    if (source.hasMedia && this.deps.store.messages.getRaw(source.id) === null) {
      const local = this.deps.store.media.getByMessage(source.id);
      if (!local) throw invalidInput('Neither the media keys nor a downloaded copy of this message are stored', 'Forward a message that was received while this server was linked');
      file = { kind: MEDIA_KINDS.has(source.type) ? (source.type as OutgoingMedia['kind']) : 'document', path: join(this.deps.config.mediaDir, local.fileName), mimetype: local.mime, fileName: local.originalName ?? undefined, caption: source.body || undefined };
    }
    const r = await this.live.once('forward_message', input.idempotencyKey, { source: source.id, recipient: chatId }, async () => {
      this.requireNotRevoked(source, 'forward');
      requireMayWrite(this.deps, chatId);
      await this.live.requireOnWhatsApp(chatId);
      return this.live.call('forward', () => this.deps.gateway.sendAction(chatId, { kind: 'forward', sourceId: source.id, ...(file ? { file } : {}) }));
    });
    return { ...this.result(r), sourceId: source.id };
  }

  // ---- new structured messages ----------------------------------------------------------------------

  async sendLocation(input: { recipient: string; latitude: number; longitude: number; name?: string; address?: string; idempotencyKey?: string }): Promise<ActionResult> {
    const chatId = resolveRecipient(this.deps.store, input.recipient);
    const action: OutgoingAction = { kind: 'location', latitude: input.latitude, longitude: input.longitude, name: input.name, address: input.address };
    return this.sendNew('send_location', chatId, action, input.idempotencyKey);
  }

  async sendContact(input: { recipient: string; contact?: string; name?: string; phone?: string; idempotencyKey?: string }): Promise<ActionResult & { name: string; phone: string }> {
    const chatId = resolveRecipient(this.deps.store, input.recipient);
    const card = this.contactCard(input);
    const action: OutgoingAction = { kind: 'contact', displayName: card.name, vcard: buildVcard(card.name, card.phone) };
    const r = await this.sendNew('send_contact', chatId, action, input.idempotencyKey);
    return { ...r, ...card };
  }

  async sendPoll(input: { recipient: string; question: string; options: string[]; multiple: boolean; idempotencyKey?: string }): Promise<ActionResult> {
    const chatId = resolveRecipient(this.deps.store, input.recipient);
    const question = input.question.trim();
    const options = input.options.map((o) => o.trim());
    if (question === '') throw invalidInput('The poll question is empty', 'Pass the question to ask');
    if (options.some((o) => o === '')) throw invalidInput('A poll option is empty', 'Give every option some text');
    const dup = options.find((o, i) => options.findIndex((p) => p.toLowerCase() === o.toLowerCase()) !== i);
    if (dup !== undefined) throw invalidInput(`The poll option "${dup}" is listed twice`, 'Make every option different');
    const action: OutgoingAction = { kind: 'poll', question, options, selectableCount: input.multiple ? 0 : 1 };
    return this.sendNew('send_poll', chatId, action, input.idempotencyKey);
  }

  // ---- chat state (app-state patches that sync to the phone) -------------------------------------------

  async changeChat(input: { chatId: string; change: ChatChange; idempotencyKey?: string }): Promise<{ chatId: string; deduplicated: boolean; idempotencyKey: string | null }> {
    const chatId = resolveRecipient(this.deps.store, input.chatId);
    const { change } = input;
    if (change.kind === 'mute' && change.until !== null && change.until <= Date.now()) {
      throw invalidInput('"until" is in the past', 'Pass a future time, or leave it out (8 hours)');
    }
    const tool = change.kind === 'archive' ? 'archive_chat' : change.kind === 'pin' ? 'pin_chat' : 'mute_chat';
    const r = await this.live.once(tool, input.idempotencyKey, { chatId, ...change }, async () => {
      await this.live.call('chat change', () => this.deps.gateway.modifyChat(chatId, change));
      return { chatId };
    });
    return { chatId, deduplicated: r.deduplicated, idempotencyKey: r.idempotencyKey };
  }

  async setBlocked(input: { jid: string; on: boolean; idempotencyKey?: string }): Promise<{ jid: string; blocked: boolean; deduplicated: boolean; idempotencyKey: string | null }> {
    const jid = resolveRecipient(this.deps.store, input.jid);
    if (jidKind(jid) === 'group') throw invalidInput('Groups cannot be blocked', 'Pass a person; to stop a group, use leave_group or mute_chat');
    const r = await this.live.once('block_contact', input.idempotencyKey, { jid, on: input.on }, async () => {
      await this.live.call('block list', () => this.deps.gateway.setBlocked(jid, input.on));
      return { jid };
    });
    return { jid, blocked: input.on, deduplicated: r.deduplicated, idempotencyKey: r.idempotencyKey };
  }

  // ---- poll results (read) ---------------------------------------------------------------------------

  /**
   * Aggregated votes of a poll we sent or received: each stored vote is decrypted with the poll's
   * message secret; a voter's newest vote counts. The JIDs inside the vote key are the creator's and the
   * voter's as their phones wrote them (phone JID or LID), so both forms are tried: GCM authentication
   * tells which one is right.
   */
  getPollResults(messageId: string): PollResults {
    const poll = this.messages.raw(messageId);
    if (poll.type !== 'poll') throw invalidInput(`This is a ${poll.type} message, not a poll`, 'Pass the id of a poll message');
    const tally = tallyPoll(this.deps.store, poll, this.deps.runtime.getStatus().me, this.legacyVotes(poll));
    if (!tally) throw invalidInput('The stored copy of this poll lacks its options or secret', 'Votes can only be read for polls received or sent while this server was linked');
    const book = this.messages.names();
    return {
      messageId: poll.id,
      chatId: poll.chatId,
      question: tally.question,
      multiple: tally.multiple,
      options: tally.options.map((o) => ({ name: o.name, votes: o.voters.length, voters: o.voters.map((jid) => ({ jid, name: book.person(jid) })) })),
      voters: tally.voters,
      undecryptable: tally.undecryptable,
    };
  }

  /** Votes stored as messages before schema version 6, in the poll's chat after the poll (bounded: 10 pages of 500). */
  private *legacyVotes(poll: Message): Generator<Message> {
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = this.deps.store.messages.list(poll.chatId, { after: poll.timestamp - 1, limit: 500, cursor });
      for (const m of r.items) if (m.type === 'poll-vote') yield m;
      if (!r.nextCursor) return;
      cursor = r.nextCursor;
    }
  }

  // ---- presence and number check ----------------------------------------------------------------------

  async setPresence(input: { state: PresenceInputState; chatId?: string; idempotencyKey?: string }): Promise<{ state: PresenceInputState; chatId: string | null; deduplicated: boolean; idempotencyKey: string | null }> {
    const perChat = input.state === 'typing' || input.state === 'recording' || input.state === 'paused';
    if (perChat && input.chatId === undefined) throw invalidInput(`"${input.state}" is shown in one chat`, 'Pass chat_id (the chat where it should show)');
    if (!perChat && input.chatId !== undefined) {
      throw invalidInput(`"${input.state}" is account-wide, not per chat`, 'Leave chat_id out, or use typing / recording / paused for one chat');
    }
    const chatId = input.chatId === undefined ? null : resolveRecipient(this.deps.store, input.chatId);
    const r = await this.live.once('set_presence', input.idempotencyKey, { state: input.state, chatId }, async () => {
      await this.live.call('presence', () => this.deps.gateway.sendPresence(PRESENCE[input.state], chatId ?? undefined));
      return { state: input.state, chatId };
    });
    return { ...r, idempotencyKey: input.idempotencyKey ?? null };
  }

  async checkNumbers(phones: string[]): Promise<{ results: NumberCheck[] }> {
    const parsed = phones.map((input) => {
      const phone = phoneDigits(input);
      if (phone === null) throw invalidInput(`"${input}" is not a phone number with country code`, 'Pass numbers like +44 7911 123456 or 447911123456');
      return { input, phone };
    });
    requireOpen(this.deps.runtime);
    const unique = [...new Set(parsed.map((p) => p.phone))];
    const answers = await this.live.call('number check', () => this.deps.gateway.onWhatsApp(unique), this.deps.liveTimeoutMs ?? 10_000);
    const byPhone = new Map(answers.map((a) => [a.phone, a]));
    return {
      results: parsed.map(({ input, phone }) => {
        const a = byPhone.get(phone);
        return { input, phone, exists: Boolean(a?.exists), jid: a?.exists && a.jid ? a.jid : null };
      }),
    };
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private isOneEmoji(s: string): boolean {
    const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)];
    return graphemes.length === 1 && EMOJI.test(s);
  }

  /** The stored message an action targets (bare key id or `<chatJid>:<keyId>`), refusing what cannot be acted on. */
  private target(input: string, verb: string): Message {
    const m = this.messages.raw(input);
    if (!CONTENT_TYPES.has(m.type)) {
      throw invalidInput(`This is a ${m.type} entry, not a message one can ${verb}`, 'Pick a text, media, location, contact or poll message from list_messages');
    }
    return m;
  }

  /** Read again inside the idempotency guard: the message may have been deleted since it was looked up. */
  private requireNotRevoked(m: Message, verb: string): void {
    if ((this.deps.store.messages.get(m.id) ?? m).revokedAt !== undefined) throw invalidInput(`This message was deleted; there is nothing to ${verb}`, '');
  }

  /** Refuses unless the account is an admin of the target's group (WhatsApp's rule for deleting others' messages). */
  private async requireGroupAdmin(target: Message): Promise<void> {
    const denied = () =>
      invalidInput(
        jidKind(target.chatId) === 'group'
          ? 'This message was sent by someone else and you are not an admin of this group, so it cannot be deleted for everyone'
          : 'This message was sent by someone else; in a direct chat only your own messages can be deleted for everyone',
        jidKind(target.chatId) === 'group' ? 'Ask a group admin to delete it' : '',
      );
    if (jidKind(target.chatId) !== 'group') throw denied();
    const me = this.deps.runtime.getStatus().me;
    const self = new Set<string>();
    for (const id of [me?.id, me?.lid]) {
      const jid = id ? this.deps.store.identity.resolve(id) : null;
      if (jid) self.add(jid);
    }
    let participants: Array<{ jid: string; admin: boolean }>;
    try {
      // Fresh: admin rights change, and the stored list may be older than the promotion.
      const live = await withTimeout(this.deps.gateway.groupMetadata(target.chatId), this.deps.liveTimeoutMs ?? 10_000, 'WhatsApp (group metadata)');
      participants = live.participants.map((p) => ({ jid: this.deps.store.identity.resolve(p.jid) ?? p.jid, admin: p.admin !== null }));
    } catch (err) {
      this.deps.logger.debug({ err, chatId: target.chatId }, 'live group metadata failed; using the stored members');
      participants = (this.deps.store.groups.get(target.chatId)?.participants ?? []).map((p) => ({ jid: p.id, admin: p.role !== 'member' }));
    }
    if (!participants.some((p) => p.admin && self.has(p.jid))) throw denied();
  }

  private contactCard(input: { contact?: string; name?: string; phone?: string }): { name: string; phone: string } {
    const next = 'Pass contact_jid (a saved contact or any WhatsApp id), or name and phone';
    if (input.contact !== undefined) {
      if (input.phone !== undefined) throw invalidInput('Pass either contact_jid or phone, not both', next);
      const jid = this.deps.store.identity.resolve(input.contact);
      if (jid === null || jidKind(jid) !== 'pn') throw invalidInput(`"${input.contact}" is not a person with a known phone number`, next);
      const phone = jidUser(jid);
      const name = input.name?.trim() || this.messages.names().person(jid);
      return { name: name || `+${phone}`, phone };
    }
    if (input.name === undefined || input.phone === undefined) throw invalidInput('A contact card needs a name and a phone number', next);
    const phone = phoneDigits(input.phone);
    if (phone === null) throw invalidInput(`"${input.phone}" is not a phone number with country code`, 'Pass it like +44 7911 123456');
    const name = input.name.trim();
    if (name === '') throw invalidInput('The contact name is empty', next);
    return { name, phone };
  }

  private async sendNew(tool: string, chatId: string, action: OutgoingAction, key: string | undefined): Promise<ActionResult> {
    const { kind: _k, ...params } = action;
    const r = await this.live.once(tool, key, { chatId, ...params }, async () => {
      requireMayWrite(this.deps, chatId);
      await this.live.requireOnWhatsApp(chatId);
      return this.live.call(action.kind, () => this.deps.gateway.sendAction(chatId, action));
    });
    return this.result(r);
  }

  private onTarget(target: Message, r: SentMessage & { deduplicated: boolean; idempotencyKey: string | null }): ActionResult {
    return { messageId: target.id, chatId: target.chatId, timestamp: r.timestamp, deduplicated: r.deduplicated, idempotencyKey: r.idempotencyKey };
  }

  private result(r: SentMessage & { deduplicated: boolean; idempotencyKey: string | null }): ActionResult {
    return { messageId: r.id, chatId: r.chatId, timestamp: r.timestamp, deduplicated: r.deduplicated, idempotencyKey: r.idempotencyKey };
  }
}
