import type { proto } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import { buildHistorySync, historyNotificationMessage } from './history.js';
import { deliverFromPhone } from './deliver.js';
import { streamHistory } from './history-sync.js';
import { offerPairing } from './pairing.js';
import type { DeviceRecord } from './state.js';
import { unixSeconds } from './util/nodes.js';

/**
 * The client finished the noise handshake. A registration payload starts QR pairing; a login
 * payload must name a linked device *and* come from the noise key that paired it, otherwise
 * WhatsApp answers `failure 401` (Baileys: loggedOut).
 */
export function onAuthenticated(sim: SimulatorCore, conn: ClientConnection, payload: proto.ClientPayload): void {
  if (payload.devicePairingData) {
    offerPairing(sim, conn);
    return;
  }
  const username = payload.username === null || payload.username === undefined ? '' : String(payload.username);
  const record = sim.state.devices.get(payload.device ?? -1);
  const sameAccount = username === sim.phone.number;
  const sameKey = record && conn.clientStatic && record.noiseKey.equals(conn.clientStatic);
  if (!record || !sameAccount || !sameKey) {
    sim.logger.info({ username, device: payload.device }, 'simulator: unknown device, failure 401');
    conn.end({ tag: 'failure', attrs: { reason: '401', location: 'simulator' } });
    return;
  }
  conn.device = record;
  sim.send(conn, {
    tag: 'success',
    attrs: { t: unixSeconds(), lid: record.lid, location: 'simulator', props: '1', abprops: '1', creation: unixSeconds() },
  });
  void finishLogin(sim, conn, record);
}

/**
 * Offline queue first (redelivered between `<offline_preview>` and `<ib><offline count>`); that
 * must precede the first history sync so Baileys is already AwaitingInitialSync when it arrives
 * (Socket/chats.js).
 */
async function finishLogin(sim: SimulatorCore, conn: ClientConnection, record: DeviceRecord): Promise<void> {
  const count = await sim.outbox.attach(conn).catch(err => {
    sim.logger.warn({ err }, 'simulator: offline queue delivery failed');
    return 0;
  });
  if (!conn.isOpen) return;
  sim.emit('login', { device: record.device, jid: record.jid, connection: conn.id, offlineMessages: count });
  if (!record.bootstrapped) {
    record.bootstrapped = true;
    await bootstrapCompanion(sim, record);
  }
}

/**
 * What the phone pushes to a newly linked companion: app-state keys, then the history (inline, or
 * streamed in chunks through the media host). All of it is queued like any stanza, so a companion
 * that drops before acknowledging gets it again.
 */
async function bootstrapCompanion(sim: SimulatorCore, record: DeviceRecord): Promise<void> {
  try {
    await deliverFromPhone(sim, record, sim.appState.keyShareMessage());
    if (sim.history === false) return;
    if ('source' in sim.history) {
      await streamHistory(sim, record, sim.history);
    } else {
      const history = buildHistorySync(sim.rng, sim.phone, sim.contacts, sim.history);
      await deliverFromPhone(sim, record, historyNotificationMessage(history));
    }
  } catch (err) {
    sim.logger.warn({ err }, 'simulator: companion bootstrap failed');
  }
}
