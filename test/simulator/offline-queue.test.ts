import type { AuthenticationState, BinaryNode, WAMessage, WASocket } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, trustSimulatorRoot, type DeliveryEvent, type Simulator } from '../../src/simulator/index.js';
import { SimulatorState } from '../../src/simulator/state.js';
import { connect, endSocket, pairAndOpen, silenceLibsignalConsole, until, waitForOpen, type TestSocket } from './helpers.js';

/** Everything one Baileys socket saw: upserts, and the raw message / ib stanzas in arrival order. */
interface Watched {
  upserts: { type: string; message: WAMessage }[];
  wire: BinaryNode[];
}

function watch(sock: WASocket): Watched {
  const seen: Watched = { upserts: [], wire: [] };
  sock.ev.on('messages.upsert', u => u.messages.forEach(message => seen.upserts.push({ type: u.type, message })));
  for (const event of ['CB:message', 'CB:receipt', 'CB:notification', 'CB:ib']) {
    sock.ws.on(event, (node: BinaryNode) => seen.wire.push(node));
  }
  return seen;
}

/** Ends the socket and waits until the server has noticed (until then it still counts the device as online). */
async function disconnect(sim: Simulator, socket: TestSocket): Promise<void> {
  await endSocket(socket);
  await until(() => (sim.connections === 0 ? true : undefined));
}

/** Connects with persisted creds and waits for open, watching from the first frame. */
async function reconnect(sim: Simulator, auth: AuthenticationState): Promise<{ socket: TestSocket; seen: Watched }> {
  const socket = connect(sim, auth);
  const seen = watch(socket.sock);
  await waitForOpen(socket.sock);
  return { socket, seen };
}

describe('simulator offline queue: every stanza stays queued until the device acknowledges it', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  let auth: AuthenticationState;
  let live: TestSocket | undefined;
  const events: DeliveryEvent[] = [];

  beforeAll(async () => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
    sim = await startSimulator({ seed: 61, contacts: 2, history: { chats: 1, messagesPerChat: 2 } });
    sim.on('delivery', (e: DeliveryEvent) => events.push(e));
    const paired = await pairAndOpen(sim);
    auth = paired.auth;
    live = paired.socket;
    // The bootstrap (key share, history) is acknowledged like anything else.
    await until(() => (sim.unacknowledged().length === 0 && sim.deliveries().length >= 2 ? true : undefined));
  });
  beforeEach(async () => {
    if (live) await disconnect(sim, live);
    live = undefined;
  });
  afterAll(async () => {
    if (live) await endSocket(live);
    await sim.stop();
    restoreTrust();
  });

  it('acknowledged bootstrap: peer_msg for the key share, peer_msg + hist_sync for the history sync', () => {
    const phoneMessages = sim.deliveries().filter(d => d.stanza === 'message');
    expect(phoneMessages.length).toBeGreaterThanOrEqual(2);
    for (const d of phoneMessages) {
      expect(d.ackedAt).toBeGreaterThanOrEqual(d.sentAt[0] ?? Infinity);
      expect(d.receipts.map(r => r.type)).toContain('peer_msg');
    }
    expect(phoneMessages.some(d => d.receipts.some(r => r.type === 'hist_sync'))).toBe(true);
  });

  it('a message sent while the device is offline arrives on connect marked offline, inside preview … offline', async () => {
    const queued = await sim.deliverText({ text: 'while you were away' });
    expect(queued.type).toBe('queued');
    const before = sim.deliveryOf(queued.id);
    expect(before).toMatchObject({ stanza: 'message', sentAt: [], ackedAt: undefined });

    const { socket, seen } = await reconnect(sim, auth);
    live = socket;
    const got = await until(() => seen.upserts.find(u => u.message.key.id === queued.id));
    expect(got.type).toBe('append'); // Baileys' marker for an offline stanza
    expect(got.message.message?.conversation).toBe('while you were away');

    const stanza = seen.wire.find(n => n.tag === 'message' && n.attrs.id === queued.id);
    expect(stanza?.attrs.offline).toBe('1');
    const tags = seen.wire.map(n => (n.tag === 'ib' && Array.isArray(n.content) ? `ib:${n.content[0]?.tag ?? ''}` : `${n.tag}:${n.attrs.id ?? ''}`));
    const preview = tags.indexOf('ib:offline_preview');
    const complete = tags.indexOf('ib:offline');
    expect(preview).toBeGreaterThanOrEqual(0);
    expect(preview).toBeLessThan(tags.indexOf(`message:${queued.id}`));
    expect(tags.indexOf(`message:${queued.id}`)).toBeLessThan(complete);
    const previewNode = seen.wire[preview];
    const previewChild = Array.isArray(previewNode?.content) ? previewNode.content[0] : undefined;
    expect(previewChild?.attrs).toMatchObject({ count: '1', message: '1' });

    const after = await until(() => {
      const d = sim.deliveryOf(queued.id);
      return d?.ackedAt !== undefined ? d : undefined;
    });
    expect(after.offline).toEqual([true]);
    expect(after.sentAt).toHaveLength(1);
    expect(after.receipts.length).toBeGreaterThanOrEqual(1);
    expect(events.filter(e => e.delivery.id === queued.id).map(e => e.change)).toEqual(expect.arrayContaining(['queued', 'sent', 'receipt', 'acked']));
  });

  it('a message delivered but not acknowledged before the socket dies is redelivered on the next connect', async () => {
    const first = await reconnect(sim, auth);
    const alice = sim.contacts[0];
    if (!alice) throw new Error('seeded contact missing');
    let victim = '';
    // The moment the client reads the message, its outgoing frames vanish and the link dies: it
    // has decrypted and upserted the message, but its receipt never reaches the server.
    first.socket.sock.ws.on('CB:message', (node: BinaryNode) => {
      if (node.attrs.from !== alice.jid || victim) return;
      victim = node.attrs.id ?? '';
      first.socket.sock.ws.send = (_data: unknown, cb?: (err?: Error) => void) => {
        cb?.();
        return true;
      };
      sim.injectFault({ kind: 'close' });
    });
    const sent = await sim.deliverText({ from: alice.jid, text: 'in flight when the link died' });
    await first.socket.closed;
    expect(victim).toBe(sent.id);
    const lost = sim.deliveryOf(sent.id);
    expect(lost?.sentAt).toHaveLength(1);
    expect(lost?.ackedAt).toBeUndefined();
    expect(sim.unacknowledged().map(d => d.id)).toContain(sent.id);

    const second = await reconnect(sim, auth);
    live = second.socket;
    const again = await until(() => second.seen.upserts.find(u => u.message.key.id === sent.id));
    expect(again.message.message?.conversation).toBe('in flight when the link died');
    expect(again.type).toBe('append');
    const settled = await until(() => {
      const d = sim.deliveryOf(sent.id);
      return d?.ackedAt !== undefined ? d : undefined;
    });
    expect(settled.offline).toEqual([false, true]);
    expect(settled.sentAt).toHaveLength(2);
  });

  it('an acknowledged message is never sent again', async () => {
    const first = await reconnect(sim, auth);
    const sent = await sim.deliverText({ text: 'acknowledged before the cut' });
    expect(sent.type).not.toBe('queued');
    const acked = await until(() => {
      const d = sim.deliveryOf(sent.id);
      return d?.ackedAt !== undefined ? d : undefined;
    });
    expect(acked.receipts.length).toBeGreaterThanOrEqual(1);
    sim.injectFault({ kind: 'close' });
    await first.socket.closed;

    const second = await reconnect(sim, auth);
    live = second.socket;
    // A later message is the synchronisation point: once it is in, the backlog is behind us.
    const marker = await sim.deliverText({ text: 'after the reconnect' });
    await until(() => second.seen.upserts.find(u => u.message.key.id === marker.id));
    expect(second.seen.upserts.some(u => u.message.key.id === sent.id)).toBe(false);
    expect(second.seen.wire.some(n => n.attrs.id === sent.id)).toBe(false);
    expect(sim.deliveryOf(sent.id)?.sentAt).toHaveLength(1);
  });

  it('receipts and notifications are queued too, and settle on the device’s acks', async () => {
    const bob = sim.contacts[1];
    if (!bob) throw new Error('seeded contact missing');
    sim.autoReceipts = false; // only the read receipt below concerns this message
    const first = await reconnect(sim, auth);
    const own = await first.socket.sock.sendMessage(bob.jid, { text: 'will you read this?' });
    const ownId = own?.key.id ?? '';
    await until(() => sim.sent.find(m => m.id === ownId));
    await disconnect(sim, first.socket);

    sim.receipt({ id: ownId, from: bob.jid, type: 'read' });
    sim.groupSubject({ subject: 'Renamed while you were away' });
    const pending = sim.unacknowledged();
    const readReceipt = pending.find(d => d.stanza === 'receipt' && d.id === ownId);
    const notification = pending.find(d => d.stanza === 'notification');
    expect(readReceipt).toBeDefined();
    expect(notification).toBeDefined();

    const { socket, seen } = await reconnect(sim, auth);
    live = socket;
    await until(() => (sim.unacknowledged().length === 0 ? true : undefined));
    const receiptAck = sim.deliveries().find(d => d.stanza === 'receipt' && d.id === ownId && d.acks.length > 0);
    expect(receiptAck?.acks[0]?.class).toBe('receipt');
    expect(receiptAck?.offline).toEqual([true]);
    const notificationAck = sim.deliveryOf(notification?.id ?? '');
    expect(notificationAck?.acks[0]?.class).toBe('notification');
    expect(seen.wire.find(n => n.tag === 'notification' && n.attrs.id === notification?.id)?.attrs.offline).toBe('1');
  });
  it('a backlog larger than one offline batch arrives whole, paced by the client’s acknowledgements', async () => {
    sim.autoReceipts = true;
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) ids.push((await sim.deliverText({ text: `backlog ${i}`, plaintext: true })).id);
    const login = new Promise<{ offlineMessages: number }>(resolve => sim.once('login', resolve));
    const { socket, seen } = await reconnect(sim, auth);
    live = socket;
    expect((await login).offlineMessages).toBe(250);
    await until(() => (ids.every(id => seen.upserts.some(u => u.message.key.id === id)) ? true : undefined), 20_000);
    const offlineMarker = seen.wire.find(n => n.tag === 'ib' && Array.isArray(n.content) && n.content[0]?.tag === 'offline');
    const marker = Array.isArray(offlineMarker?.content) ? offlineMarker.content[0] : undefined;
    expect(marker?.attrs.count).toBe('250');
    // In order, each exactly once.
    const order = seen.upserts.map(u => u.message.key.id ?? '').filter(id => ids.includes(id));
    expect(order).toEqual(ids);
    await until(() => (ids.every(id => sim.deliveryOf(id)?.ackedAt !== undefined) ? true : undefined));
  });
});

describe('exported state from before the offline queue', () => {
  it('turns a legacy `pending` list into queued messages', () => {
    const legacy = {
      version: 1 as const,
      data: JSON.stringify({
        devices: [
          {
            device: 1,
            jid: '15550000001:1@s.whatsapp.net',
            lid: '90000000001:1@lid',
            noiseKey: { type: 'Buffer', data: 'AAAA' },
            identityKey: { type: 'Buffer', data: 'AAAA' },
            keyIndex: 1,
            platform: 'chrome',
            bootstrapped: true,
            pending: [{ from: '15550000002', id: '3EB0LEGACY', t: '1700000000', message: { type: 'Buffer', data: 'CgJoaQ==' }, plaintext: false }],
          },
        ],
        nextDevice: 2,
        nextKeyIndex: 2,
        contactStores: [],
      }),
    };
    const state = SimulatorState.import(legacy);
    const entry = state.devices.get(1)?.outbox.get('message|3EB0LEGACY');
    expect(entry).toMatchObject({ id: '3EB0LEGACY', stanza: 'message', t: '1700000000', payload: { kind: 'contact', from: '15550000002', plaintext: false } });
    // Round trip: the new format exports the queue as it is.
    const again = SimulatorState.import(state.export());
    expect([...(again.devices.get(1)?.outbox.keys() ?? [])]).toEqual(['message|3EB0LEGACY']);
  });
});

