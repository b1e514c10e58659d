import { DisconnectReason, type WAMessage } from '@whiskeysockets/baileys';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseQr, startSimulator, trustSimulatorRoot, type SentMessage, type Simulator } from '../../src/simulator/index.js';
import {
  connect,
  endSocket,
  memoryAuth,
  pairAndOpen,
  silenceLibsignalConsole,
  until,
  waitForEvent,
  waitForOpen,
  waitForQr,
  type TestSocket,
} from './helpers.js';

describe('simulator pairing and login', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
    sim = await startSimulator({ seed: 7, history: { chats: 1, messagesPerChat: 1 } });
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await endSocket(s);
  });
  afterAll(async () => {
    await sim.stop();
    restoreTrust();
  });

  it('pairs fresh creds by QR, restarts on 515, opens, then logs in again without a QR', async () => {
    const auth = memoryAuth();
    const first = connect(sim, auth);
    const qr = await waitForQr(first.sock);
    const parsed = parseQr(qr);
    expect(parsed.noiseKey.equals(Buffer.from(auth.creds.noiseKey.public))).toBe(true);

    const paired = await sim.scanQr();
    expect(paired.jid).toBe(`${sim.phone.number}:${paired.device}@s.whatsapp.net`);
    expect(await first.closed).toBe(DisconnectReason.restartRequired);
    expect(auth.creds.me?.id).toBe(paired.jid);

    const second = connect(sim, auth);
    open.push(second);
    await waitForOpen(second.sock);
    expect(second.updates.some(u => u.qr)).toBe(false);
    expect(auth.creds.me?.lid).toBe(paired.lid);
    // The push name arrives through the first app-state sync (critical_block).
    await until(() => (auth.creds.me?.name === sim.phone.pushName ? true : undefined));
    await endSocket(open.pop() as TestSocket);

    // A "second process" with the persisted creds: straight to open, never a QR.
    const third = connect(sim, auth);
    open.push(third);
    await waitForOpen(third.sock);
    expect(third.updates.some(u => u.qr)).toBe(false);
    expect(sim.connections).toBe(1);
  });

  it('autoPair scans the QR by itself; unknown iqs get 501; logout() unlinks the device', async () => {
    const auto = await startSimulator({ seed: 8, autoPair: { delayMs: 10 }, history: { chats: 0, messagesPerChat: 0 } });
    try {
      const auth = memoryAuth();
      const first = connect(auto, auth);
      expect(await first.closed).toBe(DisconnectReason.restartRequired);
      const socket = connect(auto, auth);
      await waitForOpen(socket.sock);
      await expect(
        socket.sock.query({ tag: 'iq', attrs: { to: 's.whatsapp.net', type: 'get', xmlns: 'no-such-namespace' }, content: [{ tag: 'x', attrs: {} }] }),
      ).rejects.toMatchObject({ message: 'feature-not-implemented', data: 501 });
      const unlinked = new Promise(resolve => auto.once('unlinked', resolve));
      await socket.sock.logout();
      expect(await socket.closed).toBe(DisconnectReason.loggedOut);
      await unlinked;
      expect(await connect(auto, auth).closed).toBe(DisconnectReason.loggedOut);
    } finally {
      await auto.stop();
    }
  });

  it('rejects an unknown device with failure 401 (loggedOut)', async () => {
    const auth = memoryAuth();
    auth.creds.me = { id: `${sim.phone.number}:77@s.whatsapp.net`, name: 'ghost' };
    const ghost = connect(sim, auth);
    expect(await ghost.closed).toBe(DisconnectReason.loggedOut);
  });
});

describe('simulator state survives a restart', () => {
  let restoreTrust: () => void;

  beforeAll(() => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
  });
  afterAll(() => restoreTrust());

  it('exports devices, prekeys and contact sessions; a restarted simulator keeps talking Signal', async () => {
    const options = { seed: 44, contacts: 1, history: { chats: 0, messagesPerChat: 0 } } as const;
    const first = await startSimulator(options);
    const { auth, socket } = await pairAndOpen(first);
    const alice = first.contacts[0];
    if (!alice) throw new Error('seeded contact missing');
    const upsert = waitForEvent(socket.sock, 'messages.upsert', u => u.messages.some(m => m.message?.conversation === 'before restart'));
    await first.deliverText({ text: 'before restart' });
    await upsert;
    const firstMute = waitForEvent(socket.sock, 'chats.update', u => u.some(c => c.id === alice.jid && c.muteEndTime !== undefined));
    await first.sendAppStatePatch({ mute: 1_900_000_000_000 }, alice.jid);
    await firstMute;
    await endSocket(socket);
    const queued = await first.deliverText({ text: 'sent while you were offline' });
    expect(queued.type).toBe('queued');
    const snapshot = first.exportState();
    await first.stop();

    // Without the state the device is unknown: failure 401.
    const amnesiac = await startSimulator(options);
    expect(await connect(amnesiac, auth).closed).toBe(DisconnectReason.loggedOut);
    await amnesiac.stop();

    const second = await startSimulator({ ...options, state: snapshot });
    try {
      const again = connect(second, auth);
      const inbound: WAMessage[] = [];
      const appended: string[] = [];
      again.sock.ev.on('messages.upsert', u => {
        inbound.push(...u.messages);
        if (u.type === 'append') appended.push(...u.messages.map(m => m.key.id ?? ''));
      });
      await waitForOpen(again.sock);
      expect(again.updates.some(u => u.qr)).toBe(false);
      // The offline queue survived the restart and arrives as an 'append' (offline) upsert.
      const offline = await until(() => inbound.find(m => m.key.id === queued.id));
      expect(offline.message?.conversation).toBe('sent while you were offline');
      expect(appended).toContain(queued.id);

      // The app-state log survived too: the next patch continues from the client's version.
      const unmute = waitForEvent(again.sock, 'chats.update', u => u.some(c => c.id === alice.jid && c.muteEndTime === null));
      const { version } = await second.sendAppStatePatch({ mute: null }, alice.jid);
      expect(version).toBe(2);
      await unmute;

      const received = new Promise<SentMessage>(resolve => second.once('message-received', resolve));
      await again.sock.sendMessage(alice.jid, { text: 'after restart' });
      expect((await received).text).toBe('after restart');

      const { id } = await second.deliverText({ text: 'still the same session' });
      const got = await until(() => inbound.find(m => m.key.id === id));
      expect(got.message?.conversation).toBe('still the same session');
      await endSocket(again);
    } finally {
      await second.stop();
    }
  });
  it('never reuses a message id after a restart from the exported state (issue #12 item 13)', async () => {
    const options = { seed: 45, contacts: 1, history: { chats: 0, messagesPerChat: 0 } } as const;
    const first = await startSimulator(options);
    const { auth, socket } = await pairAndOpen(first);
    const seen = new Set<string>();
    socket.sock.ev.on('messages.upsert', u => u.messages.forEach(m => seen.add(m.key.id ?? '')));
    const firstIds: string[] = [];
    for (let i = 0; i < 5; i++) firstIds.push((await first.deliverText({ text: `first run ${i}` })).id);
    await until(() => (firstIds.every(id => seen.has(id)) ? true : undefined));
    await endSocket(socket);
    const snapshot = first.exportState();
    await first.stop();

    // Same seed, same state: a seeded id counter would start over and hand out the first run's ids.
    const second = await startSimulator({ ...options, state: snapshot });
    try {
      const again = connect(second, auth);
      const secondSeen = new Set<string>();
      again.sock.ev.on('messages.upsert', u => u.messages.forEach(m => secondSeen.add(m.key.id ?? '')));
      await waitForOpen(again.sock);
      const secondIds: string[] = [];
      // More than the first run sent, so a restarted counter would overlap whatever it consumed before.
      for (let i = 0; i < 10; i++) secondIds.push((await second.deliverText({ text: `second run ${i}` })).id);
      await until(() => (secondIds.every(id => secondSeen.has(id)) ? true : undefined));
      expect(new Set([...firstIds, ...secondIds]).size).toBe(15);
      await endSocket(again);
    } finally {
      await second.stop();
    }
  });
});
