/**
 * The account's block list (#14): `blocklist` iqs from the companion. Baileys blocks by LID with the
 * phone JID beside it (`<item action="block" jid=<lid> pn_jid=<pn>/>`) and unblocks by LID.
 */
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import { children, iqResult } from './util/nodes.js';

/** A block-list change as the phone records it. */
export interface ClientBlockChange {
  action: 'block' | 'unblock';
  /** The LID the item names. */
  jid: string;
  pnJid?: string;
}

/** The block list lives in the persisted server state, so it survives a simulator restart. */
export function blockedJids(sim: SimulatorCore): Set<string> {
  return sim.state.blocklist;
}

export function answerBlocklistGet(sim: SimulatorCore, _conn: ClientConnection, iq: BinaryNode): BinaryNode {
  return iqResult(iq, [{ tag: 'list', attrs: {}, content: [...blockedJids(sim)].map(jid => ({ tag: 'item', attrs: { jid } })) }]);
}

export function answerBlocklistSet(sim: SimulatorCore, _conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const set = blockedJids(sim);
  for (const item of children(iq, 'item')) {
    const jid = item.attrs.jid ?? '';
    const action = item.attrs.action === 'block' ? 'block' : 'unblock';
    if (action === 'block') set.add(jid);
    else set.delete(jid);
    const change: ClientBlockChange = { action, jid, ...(item.attrs.pn_jid ? { pnJid: item.attrs.pn_jid } : {}) };
    sim.emit('client-blocklist', change);
  }
  return iqResult(iq);
}
