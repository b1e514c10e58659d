import type { BaileysEventMap, ChatUpdate } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHistorySync } from '../../src/simulator/history.js';
import { startSimulator, trustSimulatorRoot, type Simulator } from '../../src/simulator/index.js';
import { SeededRandom } from '../../src/simulator/util/rng.js';
import { captureLogger, endSocket, pairAndOpen, silenceLibsignalConsole, until, type TestSocket } from './helpers.js';

describe('simulator history sync and app state', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  let socket: TestSocket;
  const captured = captureLogger('info');
  const histories: BaileysEventMap['messaging-history.set'][] = [];
  const chatUpdates: ChatUpdate[] = [];

  beforeAll(async () => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
    sim = await startSimulator({ seed: 33, contacts: 2, history: { chats: 4, messagesPerChat: 25 } });
    ({ socket } = await pairAndOpen(sim, { logger: captured.logger }, s => {
      s.sock.ev.on('messaging-history.set', h => histories.push(h));
      s.sock.ev.on('chats.update', u => chatUpdates.push(...u));
    }));
  });
  afterAll(async () => {
    await endSocket(socket);
    await sim.stop();
    restoreTrust();
  });

  it('delivers the seeded inline history as messaging-history.set', async () => {
    const history = await until(() => histories.find(h => h.chats.length > 0));
    expect(history.chats).toHaveLength(4);
    expect(history.messages).toHaveLength(100);
    const alice = sim.contacts[0];
    expect(history.chats.map(c => c.id)).toContain(alice?.jid);
    // Baileys drops lidPnMappings when the event passes through its buffer (Utils/event-buffer.js
    // consolidateEvents), but it always stores them first: check the store instead.
    expect(await socket.sock.signalRepository.lidMapping.getLIDForPN(alice?.jid ?? '')).toBe(alice?.lidJid);
    expect(history.contacts.find(c => c.id === alice?.jid)?.name).toBe(alice?.name);
  });

  it('handles a 10k-message inline history', async () => {
    const big = await startSimulator({ seed: 3, history: { chats: 100, messagesPerChat: 100 } });
    try {
      const sets: BaileysEventMap['messaging-history.set'][] = [];
      const { socket: bigSocket } = await pairAndOpen(big, {}, s => s.sock.ev.on('messaging-history.set', h => sets.push(h)));
      const set = await until(() => sets.find(h => h.messages.length > 0), 20_000);
      expect(set.messages).toHaveLength(10_000);
      expect(set.chats).toHaveLength(100);
      await endSocket(bigSocket);
    } finally {
      await big.stop();
    }
  });

  it('is deterministic by seed', () => {
    const contacts = sim.contacts;
    const a = buildHistorySync(new SeededRandom(5), sim.phone, contacts, { chats: 3, messagesPerChat: 4 });
    const b = buildHistorySync(new SeededRandom(5), sim.phone, contacts, { chats: 3, messagesPerChat: 4 });
    const c = buildHistorySync(new SeededRandom(6), sim.phone, contacts, { chats: 3, messagesPerChat: 4 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('turns phone-side mute/archive/pin into chats.update via app-state patches', async () => {
    const alice = sim.contacts[0]?.jid ?? '';
    const bob = sim.contacts[1]?.jid ?? '';
    const muteUntil = 1_900_000_000_000;
    await sim.sendAppStatePatch({ mute: muteUntil }, alice);
    await until(() => chatUpdates.find(u => u.id === alice && u.muteEndTime !== undefined));
    await sim.sendAppStatePatch({ archive: true, lastMessages: [] }, bob);
    await until(() => chatUpdates.find(u => u.id === bob && u.archived === true));
    await sim.sendAppStatePatch({ pin: true }, alice);
    const pinned = await until(() => chatUpdates.find(u => u.id === alice && typeof u.pinned === 'number'));
    expect(pinned.pinned).toBeGreaterThan(0);
    expect(chatUpdates.find(u => u.id === alice && u.muteEndTime !== undefined)?.muteEndTime).toBe(muteUntil);
  });

  it('a patch under a key the client never received yields the missing-key log lines and parks', async () => {
    const { collection } = sim.injectFault({ kind: 'corrupt-app-state' });
    const parked = await until(() => captured.lines.find(l => l.includes('parking after 2 attempts')));
    expect(parked).toContain(`${collection ?? ''} blocked on missing key`);
    expect(captured.lines.some(l => l.includes('failed to find key') && l.includes('to decode mutation'))).toBe(true);
    expect(captured.lines.some(l => l.includes('blocked on missing key') && l.includes('retrying with snapshot'))).toBe(true);
  });
});
