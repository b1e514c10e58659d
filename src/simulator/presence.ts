/**
 * Contacts' presence as WhatsApp relays it (#14, inbound): a companion gets `<presence>` (online, offline
 * with last seen) and `<chatstate>` (typing, recording, paused) only for JIDs it subscribed to with
 * `<presence type="subscribe" to=…>` (Baileys' `presenceSubscribe`); right after subscribing it gets the
 * current presence of that JID. Presence is not queued: a device that is offline simply misses it.
 */
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import { resolveContact } from './deliver.js';

export type ContactPresenceState = 'available' | 'unavailable';
export type ContactChatState = 'composing' | 'recording' | 'paused';

interface PresenceModel {
  /** Per connection: the JIDs it subscribed to. */
  subs: WeakMap<ClientConnection, Set<string>>;
  /** Current presence per contact JID. */
  current: Map<string, { state: ContactPresenceState; last?: number }>;
}

const models = new WeakMap<SimulatorCore, PresenceModel>();

function model(sim: SimulatorCore): PresenceModel {
  let m = models.get(sim);
  if (!m) {
    m = { subs: new WeakMap(), current: new Map() };
    models.set(sim, m);
  }
  return m;
}

function presenceNode(jid: string, p: { state: ContactPresenceState; last?: number }): BinaryNode {
  return { tag: 'presence', attrs: { from: jid, type: p.state, ...(p.state === 'unavailable' && p.last ? { last: String(p.last) } : {}) } };
}

/** JIDs (phone or LID form) under which a contact may have been subscribed to. */
function formsOf(sim: SimulatorCore, jid: string): string[] {
  const c = sim.contacts.find(x => x.jid === jid);
  return c ? [c.jid, c.lidJid] : [jid];
}

function subscribers(sim: SimulatorCore, jids: string[]): ClientConnection[] {
  const m = model(sim);
  return sim.sessions().filter(conn => jids.some(j => m.subs.get(conn)?.has(j)));
}

/** The client's `<presence type="subscribe" to=…>`: remember it and answer with the JID's current presence. */
export function onPresenceSubscribe(sim: SimulatorCore, conn: ClientConnection, node: BinaryNode): void {
  const to = node.attrs.to;
  if (!to) return;
  const m = model(sim);
  const set = m.subs.get(conn) ?? new Set<string>();
  set.add(to);
  m.subs.set(conn, set);
  const contact = sim.contacts.find(c => c.jid === to || c.lidJid === to);
  const now = contact ? m.current.get(contact.jid) : undefined;
  if (contact && now) sim.send(conn, presenceNode(contact.jid, now));
}

/** A contact comes online or goes offline (`lastSeen`: unix seconds, shared with subscribers). */
export function contactPresence(sim: SimulatorCore, input: { from?: string; state: ContactPresenceState; lastSeen?: number }): { delivered: number } {
  const contact = resolveContact(sim, input.from);
  const p = { state: input.state, ...(input.state === 'unavailable' ? { last: input.lastSeen ?? Math.floor(Date.now() / 1000) } : {}) };
  model(sim).current.set(contact.jid, p);
  const conns = subscribers(sim, formsOf(sim, contact.jid));
  for (const conn of conns) sim.send(conn, presenceNode(contact.jid, p));
  return { delivered: conns.length };
}

/** A contact types / records a voice note / stops, in its direct chat with the account or in a group. */
export function contactChatState(sim: SimulatorCore, input: { from?: string; group?: string; state: ContactChatState }): { delivered: number } {
  const contact = resolveContact(sim, input.from);
  const inner: BinaryNode =
    input.state === 'recording' ? { tag: 'composing', attrs: { media: 'audio' } } : { tag: input.state, attrs: {} };
  const node: BinaryNode = {
    tag: 'chatstate',
    attrs: input.group ? { from: input.group, participant: contact.jid } : { from: contact.jid },
    content: [inner],
  };
  const conns = subscribers(sim, input.group ? [input.group] : formsOf(sim, contact.jid));
  for (const conn of conns) sim.send(conn, node);
  return { delivered: conns.length };
}
