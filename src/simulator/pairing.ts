/**
 * Linking a companion to the account, both ways WhatsApp offers:
 * - QR: `<pair-device>` refs → the phone scans → `<pair-success>` → counter-signature → 515.
 * - Phone number (issue #14, "link with phone number"): the companion registers a link code
 *   (`link_code_companion_reg` stage `companion_hello`, answered with a pairing ref); the phone, once its
 *   user typed the 8-character code, sends `primary_hello` (its ephemeral key wrapped with the code and its
 *   identity key); the companion answers `companion_finish` (a key bundle sealed under the ephemeral DH);
 *   the phone opens it, derives the ADV secret both sides now share, and the link ends like a QR scan:
 *   `<pair-success>` HMAC'd with that secret → counter-signature → 515. docs/wire-notes.md has the bytes.
 */
import { createCipheriv, createDecipheriv, hkdfSync, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Curve, type BinaryNode, type KeyPair } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import { parseQr, type ParsedQr } from './phone.js';
import type { DeviceRecord } from './state.js';
import { splitJid } from './util/jid.js';
import { bytesOf, child, iqError, iqResult, S_WHATSAPP_NET, unixSeconds } from './util/nodes.js';

const pbkdf2Async = promisify(pbkdf2);

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
 * The phone scanned `qr`: find the companion connection it belongs to (by noise key) and link it with
 * the QR's ADV secret, exactly as WhatsApp does after a scan.
 */
export async function completePairing(sim: SimulatorCore, qr: string): Promise<PairResult> {
  const parsed = parseQr(qr);
  const conn = sim
    .allConnections()
    .find(c => c.isOpen && c.authenticated && !c.device && c.clientStatic && c.clientStatic.equals(parsed.noiseKey));
  if (!conn) throw new Error('no waiting companion connection for this QR');
  if (!conn.refs.includes(parsed.ref)) throw new Error('QR ref was not issued to this connection');
  return linkCompanion(sim, conn, parsed);
}

/**
 * Sends `<pair-success>` (HMAC'd with the ADV secret both sides hold), verifies the companion's
 * counter-signature, registers the device and asks the client to restart (`stream:error 515`).
 */
async function linkCompanion(sim: SimulatorCore, conn: ClientConnection, companion: ParsedQr): Promise<PairResult> {
  const device = sim.state.nextDevice++;
  const keyIndex = sim.state.nextKeyIndex++;
  const jid = `${sim.phone.number}:${device}@${S_WHATSAPP_NET}`;
  const lid = `${sim.phone.lid}:${device}@lid`;
  const platform = conn.payload?.devicePairingData ? 'chrome' : 'unknown';
  const grant = sim.fakePhone.grantPairing({
    qr: companion,
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
  if (reply.attrs.type !== 'result' || !sim.fakePhone.verifyDeviceSignature(reply, grant.deviceDetails, companion.identityKey)) {
    conn.end({ tag: 'stream:error', attrs: { code: '401' } });
    throw new Error('companion device signature did not verify');
  }
  const record: DeviceRecord = {
    device,
    jid,
    lid,
    noiseKey: Buffer.from(companion.noiseKey),
    identityKey: Buffer.from(companion.identityKey),
    keyIndex,
    platform,
    bundle: undefined,
    bootstrapped: false,
    outbox: new Map(),
  };
  sim.state.devices.set(device, record);
  links.delete(conn);
  sim.emit('paired', { device, jid, lid });
  const restart: BinaryNode = { tag: 'stream:error', attrs: { code: '515' } };
  conn.end(restart);
  return { device, jid, lid };
}

// ---- link with phone number -------------------------------------------------------------

/** What the server keeps between a companion's `companion_hello` and its `companion_finish`. */
interface CodeLink {
  conn: ClientConnection;
  /** Digits of the number the companion asked to link. */
  phone: string;
  ref: Buffer;
  /** salt(32) ‖ iv(16) ‖ AES-256-CTR(companion ephemeral public key) under PBKDF2(code, salt). */
  wrappedCompanionEphemeral: Buffer;
  /** Set while the phone waits for the companion's `companion_finish` to its `primary_hello`. */
  awaitFinish?: (node: BinaryNode) => void;
}

const links = new WeakMap<ClientConnection, CodeLink>();

/** WhatsApp accepts link codes only from browser-type companions (CompanionWebClientType 1–6). */
const CODE_PLATFORM_IDS = new Set(['1', '2', '3', '4', '5', '6']);
/** `<Browser> (<OS>)`: a product name in place of the OS is refused (400) by WhatsApp. */
const CODE_PLATFORM_DISPLAY = /^(Chrome|Edge|Firefox|IE|Opera|Safari) \((Mac OS|Windows|Ubuntu|Linux)\)$/;
const PBKDF2_ROUNDS = 2 << 16;

const textOf = (node: BinaryNode | undefined) => bytesOf(node)?.toString('utf8');

/** `md set <link_code_companion_reg stage=…>` from a companion that is not linked yet. */
export function answerLinkCodeRegistration(sim: SimulatorCore, conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const reg = child(iq, 'link_code_companion_reg');
  if (conn.device || !conn.clientStatic) return iqError(iq, 400, 'bad-request');
  if (reg?.attrs.stage === 'companion_hello') {
    const wrapped = bytesOf(child(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub'));
    const serverAuth = bytesOf(child(reg, 'companion_server_auth_key_pub'));
    const platformId = textOf(child(reg, 'companion_platform_id')) ?? '';
    const platformDisplay = textOf(child(reg, 'companion_platform_display')) ?? '';
    const who = splitJid(reg.attrs.jid ?? '');
    if (!wrapped || wrapped.length !== 80 || !serverAuth?.equals(conn.clientStatic) || !who) return iqError(iq, 400, 'bad-request');
    if (!CODE_PLATFORM_IDS.has(platformId) || !CODE_PLATFORM_DISPLAY.test(platformDisplay)) {
      sim.logger.info({ platformId, platformDisplay }, 'simulator: link code refused for this companion platform');
      return iqError(iq, 400, 'bad-request');
    }
    // The simulated server knows one account: any other number has no phone to show the code on.
    if (who.user !== sim.phone.number) return iqError(iq, 404, 'item-not-found');
    const ref = randomBytes(16);
    links.set(conn, { conn, phone: who.user, ref, wrappedCompanionEphemeral: wrapped });
    sim.emit('pairing-code-requested', { connection: conn.id, phone: who.user });
    return iqResult(iq, [{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: ref }] }]);
  }
  if (reg?.attrs.stage === 'companion_finish') {
    const link = links.get(conn);
    const ref = bytesOf(child(reg, 'link_code_pairing_ref'));
    if (!link?.awaitFinish || !ref?.equals(link.ref)) return iqError(iq, 404, 'item-not-found');
    const finish = link.awaitFinish;
    link.awaitFinish = undefined;
    // The phone handles it after this answer is on its way (setImmediate: the answer is sent first).
    setImmediate(() => finish(reg));
    return iqResult(iq);
  }
  return iqError(iq, 400, 'bad-request');
}

async function codeKey(code: string, salt: Buffer): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(code, 'utf8'), salt, PBKDF2_ROUNDS, 32, 'sha256');
}

function ctr(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const c = createCipheriv('aes-256-ctr', key, iv);
  return Buffer.concat([c.update(data), c.final()]);
}

const hkdf = (ikm: Buffer, salt: Buffer, info: string) => Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));

/** Waits (bounded) for the companion's `companion_finish` after the phone's `primary_hello`. */
function finishFrom(link: CodeLink, timeoutMs: number): Promise<BinaryNode> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      link.awaitFinish = undefined;
      reject(new Error('the companion did not answer primary_hello with companion_finish'));
    }, timeoutMs);
    timer.unref();
    link.awaitFinish = node => {
      clearTimeout(timer);
      resolve(node);
    };
  });
}

/**
 * The phone's user typed `code` under "Link with phone number": the phone answers the companion's link
 * request (the newest one still open), checks the companion's key bundle and links it. A wrong code is
 * only noticed there (the wrapped keys carry no check of their own): the bundle does not open, nothing is
 * linked, and this rejects, as the phone says "couldn't link" — the companion keeps waiting.
 */
export async function enterPairingCode(sim: SimulatorCore, code: string): Promise<PairResult> {
  const typed = code.replace(/[\s-]/g, '').toUpperCase();
  const link = sim
    .allConnections()
    .filter(c => c.isOpen && c.authenticated && !c.device)
    .map(c => links.get(c))
    .filter((l): l is CodeLink => l !== undefined)
    .at(-1);
  if (!link) throw new Error('no companion is waiting for a pairing code');

  // The companion's ephemeral public key, unwrapped with the typed code.
  const w = link.wrappedCompanionEphemeral;
  const companionEphemeral = ctr(await codeKey(typed, w.subarray(0, 32)), w.subarray(32, 48), w.subarray(48, 80));
  // Ours, wrapped the same way for the companion.
  const ephemeral: KeyPair = Curve.generateKeyPair();
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const wrappedPrimary = Buffer.concat([salt, iv, ctr(await codeKey(typed, salt), iv, Buffer.from(ephemeral.public))]);
  const finish = finishFrom(link, 10_000);
  const id = sim.nextMessageId();
  sim.send(link.conn, {
    tag: 'notification',
    attrs: { from: S_WHATSAPP_NET, type: 'link_code_companion_reg', id, t: unixSeconds() },
    content: [
      {
        tag: 'link_code_companion_reg',
        attrs: { stage: 'primary_hello' },
        content: [
          { tag: 'link_code_pairing_ref', attrs: {}, content: link.ref },
          { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrappedPrimary },
          { tag: 'primary_identity_pub', attrs: {}, content: Buffer.from(sim.fakePhone.identity.public) },
        ],
      },
    ],
  });
  const reg = await finish;

  // salt(32) ‖ iv(12) ‖ AES-256-GCM(companion identity ‖ primary identity ‖ adv random) ‖ tag(16).
  const bundle = bytesOf(child(reg, 'link_code_pairing_wrapped_key_bundle'));
  const companionIdentity = bytesOf(child(reg, 'companion_identity_public'));
  if (!bundle || bundle.length < 32 + 12 + 96 + 16 || !companionIdentity) throw new Error('malformed companion_finish');
  const shared = Buffer.from(Curve.sharedKey(ephemeral.private, companionEphemeral));
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', hkdf(shared, bundle.subarray(0, 32), 'link_code_pairing_key_bundle_encryption_key'), bundle.subarray(32, 44));
    d.setAuthTag(bundle.subarray(-16));
    plain = Buffer.concat([d.update(bundle.subarray(44, -16)), d.final()]);
  } catch {
    sim.emit('pairing-code-rejected', { connection: link.conn.id });
    throw new Error('wrong pairing code: the companion key bundle did not open');
  }
  const identity = plain.subarray(0, 32);
  const primary = plain.subarray(32, 64);
  const advRandom = plain.subarray(64, 96);
  if (!identity.equals(companionIdentity) || !primary.equals(Buffer.from(sim.fakePhone.identity.public))) {
    throw new Error('companion key bundle names other identities');
  }
  const identityShared = Buffer.from(Curve.sharedKey(sim.fakePhone.identity.private, companionIdentity));
  const advSecret = hkdf(Buffer.concat([shared, identityShared, advRandom]), Buffer.alloc(0), 'adv_secret');
  const noiseKey = link.conn.clientStatic ?? Buffer.alloc(0);
  return linkCompanion(sim, link.conn, { ref: link.ref.toString('base64'), noiseKey, identityKey: companionIdentity, advSecret, platformId: '' });
}
