import type { WAMessage } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, trustSimulatorRoot, type SentMessage, type Simulator } from '../../src/simulator/index.js';
import { endSocket, pairAndOpen, silenceLibsignalConsole, until, type TestSocket } from './helpers.js';

describe('simulator with two linked companions', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  let a: TestSocket;
  let b: TestSocket;
  const seenByB: WAMessage[] = [];

  beforeAll(async () => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
    sim = await startSimulator({ seed: 77, contacts: 1, history: { chats: 0, messagesPerChat: 0 } });
    ({ socket: a } = await pairAndOpen(sim));
    ({ socket: b } = await pairAndOpen(sim, {}, s => s.sock.ev.on('messages.upsert', u => seenByB.push(...u.messages))));
  });
  afterAll(async () => {
    await endSocket(a);
    await endSocket(b);
    await sim.stop();
    restoreTrust();
  });

  it('delivers to both devices and syncs what one sends to the other', async () => {
    expect(sim.connections).toBe(2);
    const alice = sim.contacts[0];
    if (!alice) throw new Error('seeded contact missing');
    const { id } = await sim.deliverText({ text: 'to every device' });
    await until(() => seenByB.find(m => m.key.id === id));

    const received = new Promise<SentMessage>(resolve => sim.once('message-received', resolve));
    const sent = await a.sock.sendMessage(alice.jid, { text: 'sent from A' });
    expect((await received).text).toBe('sent from A');
    const mirrored = await until(() => seenByB.find(m => m.key.id === sent?.key.id));
    expect(mirrored.key.fromMe).toBe(true);
    expect(mirrored.key.remoteJid).toBe(alice.jid);
    expect(mirrored.message?.extendedTextMessage?.text ?? mirrored.message?.conversation).toBe('sent from A');
  });
});
