import { randomBytes } from 'node:crypto';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import { parseQr } from './phone.js';
import type { DeviceRecord } from './state.js';
import { S_WHATSAPP_NET } from './util/nodes.js';

const REF_COUNT = 6;

/** A fresh companion asked to register: hand it QR refs (`<pair-device>`). */
export function offerPairing(_sim: SimulatorCore, conn: ClientConnection): void {
  // Random like the server's: a ref must never be valid for two connections, across restarts too.
  conn.refs = Array.from({ length: REF_COUNT }, (_, i) => `2@${randomBytes(24).toString('base64')}${i}`);
  conn
    .query({
      tag: 'iq',
      attrs: { from: S_WHATSAPP_NET, type: 'set', xmlns: 'md', id: conn.nextTag() },
      content: [{ tag: 'pair-device', attrs: {}, content: conn.refs.map(ref => ({ tag: 'ref', attrs: {}, content: ref })) }],
    })
    .catch(() => undefined); // the client may close before answering; nothing to clean up
}

export interface PairResult {
  device: number;
  jid: string;
  lid: string;
}

/**
 * The phone scanned `qr`: find the companion connection it belongs to (by noise key), send
 * `<pair-success>`, verify the companion's counter-signature, register the device and ask the
 * client to restart (`stream:error 515`), exactly as WhatsApp does after a scan.
 */
export async function completePairing(sim: SimulatorCore, qr: string): Promise<PairResult> {
  const parsed = parseQr(qr);
  const conn = sim
    .allConnections()
    .find(c => c.isOpen && c.authenticated && !c.device && c.clientStatic && c.clientStatic.equals(parsed.noiseKey));
  if (!conn) throw new Error('no waiting companion connection for this QR');
  if (!conn.refs.includes(parsed.ref)) throw new Error('QR ref was not issued to this connection');

  const device = sim.state.nextDevice++;
  const keyIndex = sim.state.nextKeyIndex++;
  const jid = `${sim.phone.number}:${device}@${S_WHATSAPP_NET}`;
  const lid = `${sim.phone.lid}:${device}@lid`;
  const platform = conn.payload?.devicePairingData ? 'chrome' : 'unknown';
  const grant = sim.fakePhone.grantPairing({
    qr: parsed,
    deviceJid: jid,
    deviceLid: lid,
    keyIndex,
    rawId: sim.rng.fork(`rawid-${device}`).int(0x7fffffff),
    platform,
  });
  const reply = await conn.query({
    tag: 'iq',
    attrs: { from: S_WHATSAPP_NET, type: 'set', xmlns: 'md', id: conn.nextTag() },
    content: [grant.pairSuccess],
  });
  if (reply.attrs.type !== 'result' || !sim.fakePhone.verifyDeviceSignature(reply, grant.deviceDetails, parsed.identityKey)) {
    conn.end({ tag: 'stream:error', attrs: { code: '401' } });
    throw new Error('companion device signature did not verify');
  }
  const record: DeviceRecord = {
    device,
    jid,
    lid,
    noiseKey: Buffer.from(parsed.noiseKey),
    identityKey: Buffer.from(parsed.identityKey),
    keyIndex,
    platform,
    bundle: undefined,
    bootstrapped: false,
    outbox: new Map(),
  };
  sim.state.devices.set(device, record);
  sim.emit('paired', { device, jid, lid });
  const restart: BinaryNode = { tag: 'stream:error', attrs: { code: '515' } };
  conn.end(restart);
  return { device, jid, lid };
}
