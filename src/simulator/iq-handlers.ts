import { encodeBigEndian, KEY_BUNDLE_TYPE, type BinaryNode } from '@whiskeysockets/baileys';
import { acceptClientPatches } from './app-state-upload.js';
import { answerBlocklistGet, answerBlocklistSet } from './blocklist.js';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import { answerGroupIq } from './groups.js';
import { MEDIA_AUTH } from './media/host.js';
import { answerLinkCodeRegistration } from './pairing.js';
import type { UploadedBundle } from './state.js';
import { splitJid } from './util/jid.js';
import { bytesOf, child, childNodes, children, iqError, iqResult, uintOf } from './util/nodes.js';

type IqHandler = (sim: SimulatorCore, conn: ClientConnection, iq: BinaryNode) => BinaryNode | Promise<BinaryNode>;

/** `encrypt set <registration>…`: the companion's Signal bundle, kept so contacts can start sessions. */
function uploadPreKeys(_sim: SimulatorCore, conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const device = conn.device;
  if (!device) return iqError(iq, 401, 'not-authorized');
  const registrationId = uintOf(child(iq, 'registration'));
  const identityKey = bytesOf(child(iq, 'identity'));
  const skey = child(iq, 'skey');
  const skeyId = uintOf(child(skey, 'id'));
  const skeyValue = bytesOf(child(skey, 'value'));
  const skeySig = bytesOf(child(skey, 'signature'));
  if (registrationId === undefined || !identityKey || skeyId === undefined || !skeyValue || !skeySig) {
    return iqError(iq, 400, 'bad-request');
  }
  const bundle: UploadedBundle = device.bundle ?? {
    registrationId,
    identityKey,
    signedPreKey: { keyId: skeyId, publicKey: skeyValue, signature: skeySig },
    preKeys: new Map(),
  };
  bundle.registrationId = registrationId;
  bundle.identityKey = identityKey;
  bundle.signedPreKey = { keyId: skeyId, publicKey: skeyValue, signature: skeySig };
  for (const key of children(child(iq, 'list'), 'key')) {
    const id = uintOf(child(key, 'id'));
    const value = bytesOf(child(key, 'value'));
    if (id !== undefined && value) bundle.preKeys.set(id, value);
  }
  device.bundle = bundle;
  return iqResult(iq);
}

/** Bundle node for another linked companion of the same account, from what it uploaded. */
function companionBundleNode(jid: string, bundle: UploadedBundle): BinaryNode {
  const content: BinaryNode[] = [
    { tag: 'registration', attrs: {}, content: encodeBigEndian(bundle.registrationId) },
    { tag: 'type', attrs: {}, content: KEY_BUNDLE_TYPE },
    { tag: 'identity', attrs: {}, content: bundle.identityKey },
    {
      tag: 'skey',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: encodeBigEndian(bundle.signedPreKey.keyId, 3) },
        { tag: 'value', attrs: {}, content: bundle.signedPreKey.publicKey },
        { tag: 'signature', attrs: {}, content: bundle.signedPreKey.signature },
      ],
    },
  ];
  const first = bundle.preKeys.entries().next();
  if (!first.done) {
    const [keyId, publicKey] = first.value;
    bundle.preKeys.delete(keyId); // one-time prekeys are handed out once
    content.push({
      tag: 'key',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: encodeBigEndian(keyId, 3) },
        { tag: 'value', attrs: {}, content: publicKey },
      ],
    });
  }
  return { tag: 'user', attrs: { jid }, content };
}

/** `encrypt get <key>`: prekey bundles of contacts, the account's own phone (device 0) and other companions. */
async function fetchPreKeys(sim: SimulatorCore, _conn: ClientConnection, iq: BinaryNode): Promise<BinaryNode> {
  const users: BinaryNode[] = [];
  for (const user of children(child(iq, 'key'), 'user')) {
    const jid = user.attrs.jid ?? '';
    const peer = sim.peerFor(jid);
    const who = splitJid(jid);
    const own = who && (who.user === sim.phone.number || who.user === sim.phone.lid);
    const companion = own && who.device > 0 ? sim.state.devices.get(who.device)?.bundle : undefined;
    if (peer) users.push(await peer.party.bundleNode(jid));
    else if (companion) users.push(companionBundleNode(jid, companion));
    else users.push({ tag: 'user', attrs: { jid }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] });
  }
  return iqResult(iq, [{ tag: 'list', attrs: {}, content: users }]);
}

/** `usync`: devices, LIDs, on-WhatsApp (contact) and status for the users asked about. */
function usync(sim: SimulatorCore, _conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const request = child(iq, 'usync');
  const protocols = childNodes(child(request, 'query')).map(p => p.tag);
  const users: BinaryNode[] = [];
  for (const user of children(child(request, 'list'), 'user')) {
    const phoneQuery = bytesOf(child(user, 'contact'))?.toString('utf8');
    const jid = user.attrs.jid ?? (phoneQuery ? `${phoneQuery.replace(/^\+/, '')}@s.whatsapp.net` : '');
    const who = splitJid(jid);
    const own = who && (who.user === sim.phone.number || who.user === sim.phone.lid);
    const contact = who && sim.contacts.find(c => c.number === who.user || c.lid === who.user);
    const known = own || !!contact;
    const content: BinaryNode[] = [];
    for (const protocol of protocols) {
      if (protocol === 'devices') {
        const devices: BinaryNode[] = [{ tag: 'device', attrs: { id: '0' } }];
        if (own) {
          // Only companions that uploaded keys: Baileys fails the whole send on a bundle-less device.
          for (const d of sim.state.devices.values()) {
            if (d.bundle) devices.push({ tag: 'device', attrs: { id: String(d.device), 'key-index': String(d.keyIndex) } });
          }
        }
        content.push({ tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: known ? devices : [] }] });
      } else if (protocol === 'lid') {
        const lid = own ? sim.phone.lidJid : contact?.lidJid;
        content.push({ tag: 'lid', attrs: lid ? { val: lid } : {} });
      } else if (protocol === 'contact') {
        content.push({ tag: 'contact', attrs: { type: known ? 'in' : 'out' } });
      } else if (protocol === 'status') {
        content.push({ tag: 'status', attrs: { t: '1700000000' }, content: known ? 'Hey there! I am using WhatsApp.' : undefined });
      }
    }
    users.push({ tag: 'user', attrs: { jid }, content });
  }
  return iqResult(iq, [
    {
      tag: 'usync',
      attrs: { ...(request?.attrs ?? {}) },
      content: [{ tag: 'result', attrs: {} }, { tag: 'list', attrs: {}, content: users }],
    },
  ]);
}

function privacy(_sim: SimulatorCore, _conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const categories: [string, string][] = [
    ['last', 'all'],
    ['online', 'all'],
    ['profile', 'all'],
    ['status', 'contacts'],
    ['groupadd', 'all'],
    ['readreceipts', 'all'],
    ['calladd', 'all'],
  ];
  return iqResult(iq, [{ tag: 'privacy', attrs: {}, content: categories.map(([name, value]) => ({ tag: 'category', attrs: { name, value } })) }]);
}

function profilePicture(sim: SimulatorCore, _conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const target = iq.attrs.target ?? '';
  const who = splitJid(target);
  const known = who && (who.user === sim.phone.number || sim.contacts.some(c => c.number === who.user || c.lid === who.user));
  if (!known) return iqError(iq, 404, 'item-not-found');
  const id = String(1_700_000_000 + (who ? Number(who.user.slice(-4)) : 0));
  return iqResult(iq, [
    { tag: 'picture', attrs: { id, type: child(iq, 'picture')?.attrs.type ?? 'preview', url: `https://simulator.invalid/pp/${who?.user ?? ''}.jpg`, direct_path: `/pp/${who?.user ?? ''}.jpg` } },
  ]);
}

/** The user removed this companion (`sock.logout()`): forget it, as the phone would. */
function removeCompanion(sim: SimulatorCore, conn: ClientConnection, iq: BinaryNode): BinaryNode {
  if (conn.device) {
    sim.state.devices.delete(conn.device.device);
    sim.emit('unlinked', { device: conn.device.device, jid: conn.device.jid });
  }
  return iqResult(iq);
}

const ok: IqHandler = (_sim, _conn, iq) => iqResult(iq);

/** Keyed by `xmlns|type|first child tag`; `*` matches any child. */
const HANDLERS: Record<string, IqHandler> = {
  'encrypt|get|count': (_sim, conn, iq) => iqResult(iq, [{ tag: 'count', attrs: { value: String(conn.device?.bundle?.preKeys.size ?? 0) } }]),
  'encrypt|set|registration': uploadPreKeys,
  'encrypt|get|digest': (_sim, conn, iq) =>
    conn.device?.bundle ? iqResult(iq, [{ tag: 'digest', attrs: {} }]) : iqError(iq, 404, 'item-not-found'),
  'encrypt|get|key': fetchPreKeys,
  'encrypt|set|rotate': ok,
  'passive|set|*': ok,
  'w:p|get|ping': ok,
  'abt|get|props': (_sim, _conn, iq) => iqResult(iq, [{ tag: 'props', attrs: { protocol: '1', hash: 'simulator' } }]),
  'blocklist|get|*': answerBlocklistGet,
  'blocklist|set|*': answerBlocklistSet,
  'privacy|get|privacy': privacy,
  'usync|get|usync': usync,
  'w:sync:app:state|set|sync': async (sim, _conn, iq) => {
    await acceptClientPatches(sim, iq); // uploads first (#14), then the log after the asked version
    return iqResult(iq, [{ tag: 'sync', attrs: {}, content: await sim.appState.answer(iq, sim.media) }]);
  },
  'md|set|remove-companion-device': removeCompanion,
  'md|set|link_code_companion_reg': answerLinkCodeRegistration, // link with phone number (#14, pairing.ts)
  'w:profile:picture|get|picture': profilePicture,
  'w:g2|get|*': answerGroupIq,
  'w:g2|set|*': answerGroupIq,
  'w:m|set|media_conn': (sim, _conn, iq) =>
    iqResult(iq, [
      {
        tag: 'media_conn',
        attrs: { auth: MEDIA_AUTH, ttl: '3600', auth_ttl: '3600', max_buckets: '1' },
        content: [{ tag: 'host', attrs: { hostname: sim.media.uploadHost, maxContentLengthBytes: '104857600' } }],
      },
    ]),
  'w:stats|*|*': ok,
  'urn:xmpp:whatsapp:dirty|set|*': ok,
};

/** Answers a client iq; anything unknown gets `501` so Baileys never waits for a timeout. */
export async function answerIq(sim: SimulatorCore, conn: ClientConnection, iq: BinaryNode): Promise<BinaryNode> {
  const xmlns = iq.attrs.xmlns ?? '';
  const type = iq.attrs.type ?? '';
  const first = childNodes(iq)[0]?.tag ?? '';
  const handler =
    HANDLERS[`${xmlns}|${type}|${first}`] ?? HANDLERS[`${xmlns}|${type}|*`] ?? HANDLERS[`${xmlns}|*|*`];
  if (!handler) {
    sim.logger.debug({ xmlns, type, first }, 'simulator: unimplemented iq → 501');
    return iqError(iq, 501, 'feature-not-implemented');
  }
  return handler(sim, conn, iq);
}

