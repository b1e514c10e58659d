import { DisconnectReason } from '@whiskeysockets/baileys';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseQr, startSimulator, trustSimulatorRoot, type Simulator } from '../../src/simulator/index.js';
import { connect, endSocket, memoryAuth, silenceLibsignalConsole, waitForOpen, waitForQr, type TestSocket } from './helpers.js';

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
