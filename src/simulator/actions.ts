/**
 * What a contact's phone shows beyond text and media — reactions, edits, revokes, polls, locations,
 * contact cards — so `sent` records them too, and the companion's presence/chatstate stanzas, which
 * WhatsApp does not answer but which contacts observe (emitted as `client-presence`).
 */
import { proto, type BinaryNode } from '@whiskeysockets/baileys';
import { childNodes } from './util/nodes.js';

const ACTION_FIELDS: (keyof proto.IMessage)[] = [
  'reactionMessage',
  'pollCreationMessage',
  'pollCreationMessageV2',
  'pollCreationMessageV3',
  'locationMessage',
  'liveLocationMessage',
  'contactMessage',
  'contactsArrayMessage',
];

const VISIBLE_PROTOCOL = new Set([proto.Message.ProtocolMessage.Type.REVOKE, proto.Message.ProtocolMessage.Type.MESSAGE_EDIT]);

/** True for a message a contact sees (a reaction, an edit or revoke of an earlier message, a poll…). */
export function isActionContent(message: proto.IMessage): boolean {
  if (ACTION_FIELDS.some(f => !!message[f])) return true;
  const p = message.protocolMessage;
  return !!p && p.type !== null && p.type !== undefined && VISIBLE_PROTOCOL.has(p.type);
}

/** A `<presence>` or `<chatstate>` the companion sent, as the addressed contact would see it. */
export interface ClientPresence {
  tag: 'presence' | 'chatstate';
  /** `to` of a chatstate (absent for account-wide presence). */
  to?: string;
  /** presence: `available` / `unavailable`; chatstate: `composing` / `recording` / `paused`. */
  state: string;
  attrs: Record<string, string>;
}

export function presenceOf(node: BinaryNode): ClientPresence | null {
  if (node.tag === 'presence') {
    if (!node.attrs.type || node.attrs.type === 'subscribe') return null;
    return { tag: 'presence', state: node.attrs.type, attrs: { ...node.attrs } };
  }
  if (node.tag !== 'chatstate') return null;
  const inner = childNodes(node)[0];
  if (!inner) return null;
  const state = inner.tag === 'composing' && inner.attrs.media === 'audio' ? 'recording' : inner.tag;
  return { tag: 'chatstate', to: node.attrs.to, state, attrs: { ...node.attrs } };
}
