/**
 * Which tools write to WhatsApp, and what the send-safety gate needs to know about each (issue #15): the
 * chat it writes to (for the per-chat rules, pacing and the approver's summary), whether other people
 * see it (then a human may have to approve it), and whether it is a message (then it is paced and may
 * wait in the outbox). Private state that only syncs to our own devices (read receipts, archive, pin,
 * mute, typing) is still subject to the mode and the chat rules, but never waits for a human.
 */
import { invalidInput, notFound } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { resolveRecipient } from '../recipient.js';

export interface WriteTool {
  /** Other people see it: approval may be needed. */
  needsConsent: boolean;
  /** A message in a chat: paced, and may be queued in the outbox. */
  message: boolean;
  /**
   * The chat written to, from the validated arguments (canonical JID), or null when the tool has none.
   * Throws (invalid input, unknown message) so a bad call is refused before it can wait for approval.
   */
  target(args: Record<string, unknown>, store: Store): string | null;
  /** One line for the approver and the audit log; message text is quoted, never interpreted. */
  summary(args: Record<string, unknown>): string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const clip = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const quote = (s: string | undefined) => (s === undefined ? '' : `“${clip(s.replace(/\s+/g, ' ').trim())}”`);

const jidArg = (key: string) => (args: Record<string, unknown>, store: Store) => {
  const v = str(args[key]);
  return v === undefined ? null : resolveRecipient(store, v);
};

/** The chat of a stored message given as `<chatJid>:<keyId>` or a bare key id (only when it is unambiguous). */
const messageChat = (args: Record<string, unknown>, store: Store): string | null => {
  const id = str(args.message_id)?.trim();
  if (!id) return null;
  const full = store.messages.get(id);
  if (full) return full.chatId;
  const chats = store.messages.chatsWithKey(id);
  if (chats.length === 1) return chats[0]!;
  if (chats.length === 0) throw notFound(`No message with id ${id}`, 'Take message_id from list_messages or search_messages');
  throw invalidInput(`Message id ${id} exists in ${chats.length} chats`, 'Pass it as <chatJid>:<keyId>');
};

const message = (target: WriteTool['target'], summary: WriteTool['summary']): WriteTool => ({ needsConsent: true, message: true, target, summary });
const visible = (target: WriteTool['target'], summary: WriteTool['summary']): WriteTool => ({ needsConsent: true, message: false, target, summary });
const own = (target: WriteTool['target'], summary: WriteTool['summary']): WriteTool => ({ needsConsent: false, message: false, target, summary });

export const WRITE_TOOLS: Readonly<Record<string, WriteTool>> = {
  send_message: message(jidArg('recipient_jid'), (a) => `text ${quote(str(a.message))}`),
  send_media: message(jidArg('recipient_jid'), (a) => {
    const name = str(a.filename) ?? str(a.media_path)?.split('/').pop() ?? str(a.media_url) ?? 'attached file';
    return `${a.as_audio_message === true ? 'voice message' : 'file'} ${clip(name, 80)}${a.caption ? ` with caption ${quote(str(a.caption))}` : ''}`;
  }),
  forward_message: message(jidArg('recipient_jid'), (a) => `forward of message ${str(a.message_id)}`),
  send_location: message(jidArg('recipient_jid'), (a) => `location ${String(a.latitude)},${String(a.longitude)}${a.name ? ` ${quote(str(a.name))}` : ''}`),
  send_contact: message(jidArg('recipient_jid'), (a) => `contact card ${str(a.name) ?? str(a.contact_jid) ?? ''}`.trim()),
  send_poll: message(jidArg('recipient_jid'), (a) => `poll ${quote(str(a.question))} [${Array.isArray(a.options) ? a.options.map(String).join(' / ') : ''}]`),
  react_to_message: visible(messageChat, (a) => (str(a.emoji) === '' ? `remove reaction on ${str(a.message_id)}` : `reaction ${str(a.emoji)} on ${str(a.message_id)}`)),
  edit_message: visible(messageChat, (a) => `edit ${str(a.message_id)} to ${quote(str(a.text))}`),
  delete_message: visible(messageChat, (a) => `delete ${str(a.message_id)}${a.for_everyone === true ? ' for everyone' : ' for me'}`),
  create_group: visible(() => null, (a) => `create group ${quote(str(a.subject))} with ${Array.isArray(a.participants) ? a.participants.length : 0} participant(s)`),
  update_group_participants: visible(jidArg('group_jid'), (a) => `${str(a.action)} ${Array.isArray(a.participants) ? a.participants.map(String).join(', ') : ''}`),
  update_group_settings: visible(jidArg('group_jid'), (a) =>
    `change group settings (${['subject', 'description', 'announce', 'locked'].filter((k) => a[k] !== undefined).join(', ')})`),
  get_group_invite_link: own(jidArg('group_jid'), (a) => (a.revoke === true ? 'revoke and renew the invite link' : 'read the invite link')),
  join_group: visible(() => null, (a) => `join group by invite ${clip(str(a.invite_link) ?? '', 60)}`),
  leave_group: visible(jidArg('group_jid'), () => 'leave the group'),
  block_contact: visible(jidArg('jid'), (a) => (a.on === false ? 'unblock' : 'block')),
  mark_as_read: own(jidArg('chat_id'), () => 'mark as read'),
  set_presence: own(jidArg('chat_id'), (a) => `presence ${str(a.state)}`),
  archive_chat: own(jidArg('chat_id'), (a) => (a.on === false ? 'unarchive' : 'archive')),
  pin_chat: own(jidArg('chat_id'), (a) => (a.on === false ? 'unpin' : 'pin')),
  mute_chat: own(jidArg('chat_id'), (a) => (a.on === false ? 'unmute' : 'mute')),
  logout: own(() => null, () => 'log out and unlink this device'),
};

export function writeToolOf(name: string): WriteTool | undefined {
  return WRITE_TOOLS[name];
}
