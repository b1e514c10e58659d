/**
 * Exactly-once inbound (#18): the socket acknowledges a message only once it is in SQLite.
 *
 * 1. Source contract: the three places src/whatsapp/baileys/durable-receipts.ts hooks into Baileys still
 *    exist in the installed version. A Baileys upgrade that moves any of them fails here, by name.
 * 2. Behaviour: the simulator records every receipt the device sends; at the moment it records one for a
 *    contact's message, that message must already be in the store — live, and in an offline catch-up
 *    (where Baileys buffers every event until the backlog ends, so without the hook the receipts of the
 *    whole backlog leave long before anything is stored).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryEvent, Simulator } from '../../src/simulator/index.js';
import { RECEIPT_LOG_LINE } from '../../src/whatsapp/baileys/durable-receipts.js';
import { eventually, memoryLogger, startTestApp, type TestApp } from '../helpers/app.js';
import { FAST_ENV, FAST_SOCKET, pair, silenceConsole, startSim, waitState, isState } from '../helpers/sim-app.js';

const lib = join(process.cwd(), 'node_modules/@whiskeysockets/baileys/lib');
const source = (file: string) => readFileSync(join(lib, file), 'utf8');

describe('Baileys hook points (fails on an upgrade that moves them)', () => {
  it('sendReceipt logs the ids, then sends the receipt with no await in between', () => {
    const send = source('Socket/messages-send.js');
    expect(send).toContain(`logger.debug({ attrs: node.attrs, messageIds }, '${RECEIPT_LOG_LINE}');\n        await sendNode(node);`);
  });

  it('every frame ends in the raw ws socket send, synchronously', () => {
    const socket = source('Socket/socket.js');
    expect(socket).toContain('const sendPromise = promisify(ws.send);');
    expect(socket).toMatch(/const bytes = noise\.encodeFrame\(data\);\s*await promiseTimeout\(connectTimeoutMs, async \(resolve, reject\) => \{\s*try \{\s*await sendPromise\.call\(ws, bytes\);/);
    expect(socket).toMatch(/const ws = new WebSocketClient\(url, config\);\s*ws\.connect\(\);/);
    const client = source('Socket/Client/websocket.js');
    expect(client).toContain('this.socket?.send(str, cb);');
  });

  it('upsertMessage emits messages.upsert through ev.emit', () => {
    const chats = source('Socket/chats.js');
    expect(chats).toMatch(/const upsertMessage = ev\.createBufferedFunction\(async \(msg, type\) => \{\s*ev\.emit\('messages\.upsert', \{ messages: \[msg\], type \}\);/);
  });
});

describe('no receipt before the commit', () => {
  let sim: Simulator;
  let t: TestApp | undefined;

  beforeEach(async () => {
    silenceConsole();
    sim = await startSim({ history: false });
  });
  afterEach(async () => {
    await t?.stop();
    t = undefined;
    await sim.stop();
  });

  it('every receipt for a contact message reaches the server after the message is stored, live and offline', { timeout: 60_000 }, async () => {
    // The hook's own alarms (a receipt that got past it, a commit that never came) must stay silent.
    const { logger, lines } = memoryLogger('warn');
    const alarms = () => lines.filter((l) => String(l.msg).startsWith('durable receipts'));
    t = await startTestApp(FAST_ENV, { simulator: sim, socketConfig: FAST_SOCKET }, undefined, logger);
    await pair(t, sim);
    const chatOf = new Map<string, string>();
    const early: string[] = [];
    const receipted = new Set<string>();
    sim.on('delivery', (e: DeliveryEvent) => {
      const chat = chatOf.get(e.delivery.id);
      if (e.change !== 'receipt' || e.delivery.stanza !== 'message' || !chat) return;
      receipted.add(e.delivery.id);
      // Same process: the store answers synchronously, at the instant the server records the receipt.
      if (t?.app.store.messages.get(`${chat}:${e.delivery.id}`) === null) early.push(e.delivery.id);
    });
    const deliver = async (i: number) => {
      const contact = sim.contacts[i % sim.contacts.length]!;
      const { id } = await sim.deliverText({ from: contact.jid, text: `durable ${i}` });
      chatOf.set(id, contact.jid);
    };

    for (let i = 0; i < 10; i++) await deliver(i);
    await eventually(() => receipted.size === 10, 15_000);

    // Offline: queued while the app is down, redelivered as one catch-up on the next start.
    const dataDir = t.dataDir;
    await t.stop({ keepData: true });
    t = undefined;
    for (let i = 10; i < 40; i++) await deliver(i);
    t = await startTestApp(FAST_ENV, { simulator: sim, socketConfig: FAST_SOCKET }, dataDir, logger);
    await waitState(t, isState('open'));
    await eventually(() => receipted.size === 40, 30_000);
    expect(alarms()).toEqual([]);

    expect(early).toEqual([]);
    for (const [id, chat] of chatOf) expect(t.app.store.messages.get(`${chat}:${id}`)?.body).toMatch(/^durable /);
    expect(sim.unacknowledged().filter((d) => d.stanza === 'message')).toEqual([]);
  });

  it('a message the store cannot commit is never acknowledged, and arrives once the store can write again', { timeout: 60_000 }, async () => {
    const { logger, lines } = memoryLogger('warn');
    t = await startTestApp(FAST_ENV, { simulator: sim, socketConfig: FAST_SOCKET }, undefined, logger);
    await pair(t, sim);
    const db = t.app.store.db;
    // The store refuses new messages the way a full disk would (a real SQLite error on this connection).
    db.exec("CREATE TEMP TRIGGER refuse_messages BEFORE INSERT ON main.messages BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END");
    let closed = 0;
    sim.on('close', () => closed++);
    const contact = sim.contacts[0]!;
    const { id } = await sim.deliverText({ from: contact.jid, text: 'stored later' });
    // Refused at least twice (the first attempt and a redelivery after the reconnect), never acknowledged.
    await eventually(() => closed >= 2 && (sim.deliveryOf(id)?.sentAt.length ?? 0) >= 2, 20_000);
    expect(sim.deliveryOf(id)?.ackedAt).toBeUndefined();
    expect(t.app.store.messages.get(`${contact.jid}:${id}`)).toBeNull();
    expect(lines.some((l) => l.msg === 'durable receipts: inbound message not stored; ending the socket without acknowledging it')).toBe(true);

    db.exec('DROP TRIGGER refuse_messages');
    await eventually(() => sim.deliveryOf(id)?.ackedAt !== undefined, 20_000);
    expect(t.app.store.messages.get(`${contact.jid}:${id}`)?.body).toBe('stored later');
    await waitState(t, isState('open'));
  });
});
