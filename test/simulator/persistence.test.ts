import { DisconnectReason, type WAMessage } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, trustSimulatorRoot, type SentMessage } from '../../src/simulator/index.js';
import { connect, endSocket, pairAndOpen, silenceLibsignalConsole, until, waitForEvent, waitForOpen } from './helpers.js';

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
    await endSocket(socket);
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
      again.sock.ev.on('messages.upsert', u => inbound.push(...u.messages));
      await waitForOpen(again.sock);
      expect(again.updates.some(u => u.qr)).toBe(false);

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
});
