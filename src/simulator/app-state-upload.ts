/**
 * App-state patches a companion uploads (`w:sync:app:state` set with `<patch>`): archive, pin, mute,
 * delete-for-me… The server validates and logs them (AppStateServer.acceptClientPatch) and the phone
 * applies them; observers get each mutation as a `client-app-state` event (#14).
 */
import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import type { SimulatorCore } from './core.js';
import { bytesOf, child, children } from './util/nodes.js';

/** One mutation the companion made, as the phone applies it. */
export interface ClientAppStateMutation {
  collection: string;
  /** e.g. `["archive", "<jid>"]`, `["pin_v1", "<jid>"]`, `["mute", "<jid>"]`, `["deleteMessageForMe", jid, keyId, fromMe, participant]` */
  index: string[];
  value: proto.ISyncActionValue | null | undefined;
}

export async function acceptClientPatches(sim: SimulatorCore, iq: BinaryNode): Promise<void> {
  for (const col of children(child(iq, 'sync'), 'collection')) {
    const bytes = bytesOf(child(col, 'patch'));
    const name = col.attrs.name;
    if (!bytes || !name) continue;
    const mutations = await sim.appState.acceptClientPatch(name, Number(col.attrs.version ?? '0'), bytes);
    for (const m of mutations) {
      const event: ClientAppStateMutation = { collection: name, index: m.index, value: m.syncAction.value };
      sim.emit('client-app-state', event);
    }
  }
}
