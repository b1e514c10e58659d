import { proto, type BaileysEventMap, type BinaryNode } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  historyChunks,
  startSimulator,
  trustSimulatorRoot,
  type DeliveryEvent,
  type HistoryChunkEvent,
  type HistoryCompleteEvent,
  type HistoryItem,
  type Simulator,
} from '../../src/simulator/index.js';
import { connect, endSocket, pairAndOpen, silenceLibsignalConsole, until, waitForOpen, type TestSocket } from './helpers.js';

const CHATS = 8; // 6 direct, 2 groups
const CONTACTS = 30;
const MESSAGES = 3_000;
const BASE = 1_690_000_000;

const contactJid = (i: number): string => `1555000${String(1000 + i)}@s.whatsapp.net`;
const chatJid = (c: number): string => (c < 6 ? contactJid(c) : `1203630000000${c}@g.us`);

/** A synthetic account history, newest first, generated lazily. `pulled` counts what was taken. */
function syntheticHistory(counter: { pulled: number }): () => Generator<HistoryItem | HistoryItem[]> {
  return function* () {
    for (let i = 0; i < CONTACTS; i++) {
      counter.pulled++;
      yield { type: 'contact', contact: { id: contactJid(i), pushName: `Push ${i}`, lidJid: `90000${String(1000 + i)}@lid` } };
    }
    for (let c = 0; c < CHATS; c++) {
      counter.pulled++;
      yield { type: 'chat', chat: { id: chatJid(c), name: c < 6 ? `Contact ${c}` : `Group ${c}`, unreadCount: c % 3 } };
    }
    // Batches of 100, as a bench generator would yield them.
    for (let start = 0; start < MESSAGES; start += 100) {
      const batch: HistoryItem[] = [];
      for (let n = start; n < start + 100; n++) {
        const c = n % CHATS;
        const fromMe = n % 4 === 0;
        batch.push({
          type: 'message',
          message: {
            chatId: chatJid(c),
            id: `HS${String(n).padStart(6, '0')}`,
            fromMe,
            ...(c >= 6 && !fromMe ? { participant: contactJid(n % CONTACTS) } : {}),
            timestamp: BASE + (MESSAGES - n) * 60,
            text: `history message ${n}`,
            ...(fromMe ? {} : { pushName: `Push ${n % CONTACTS}` }),
          },
        });
      }
      counter.pulled += batch.length;
      yield batch;
    }
  };
}

describe('historyChunks (the phone-side chunker)', () => {
  it('types chunks bootstrap → recent → full, then push names, and pulls the source lazily', async () => {
    const counter = { pulled: 0 };
    const types: string[] = [];
    let messages = 0;
    let pushNames = 0;
    let pulledAtFirstChunk = -1;
    for await (const chunk of historyChunks(syntheticHistory(counter)(), { messagesPerChunk: 700, pushNamesPerChunk: 20, recentChunks: 2 })) {
      if (pulledAtFirstChunk < 0) pulledAtFirstChunk = counter.pulled;
      types.push(`${proto.HistorySync.HistorySyncType[chunk.sync.syncType ?? 0]}:${chunk.sync.progress ?? '-'}`);
      messages += chunk.messages;
      pushNames += chunk.pushNames;
      for (const conv of chunk.sync.conversations ?? []) {
        const stamps = (conv.messages ?? []).map(m => Number(m.message?.messageTimestamp));
        expect(stamps).toEqual([...stamps].sort((a, b) => b - a)); // newest first
      }
    }
    // 3000 / 700 → 5 message chunks; 30 push names / 20 → 2 PUSH_NAME chunks after the bootstrap.
    expect(types).toEqual(['INITIAL_BOOTSTRAP:100', 'PUSH_NAME:-', 'RECENT:-', 'RECENT:100', 'FULL:-', 'FULL:100', 'PUSH_NAME:100']);
    expect(messages).toBe(MESSAGES);
    expect(pushNames).toBe(CONTACTS);
    // One chunk of look-ahead at most: the first chunk left while most of the stream was unread.
    expect(pulledAtFirstChunk).toBeLessThan(CONTACTS + CHATS + 2 * 700 + 100);
  });

  it('an empty stream still yields one (empty) bootstrap chunk, so the client leaves its initial-sync wait', async () => {
    const chunks = [];
    for await (const chunk of historyChunks([])) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.sync.syncType).toBe(proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP);
  });
});

describe('streamed history sync through the media host and the real socket', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  let socket: TestSocket;
  const sets: BaileysEventMap['messaging-history.set'][] = [];
  const chunkEvents: HistoryChunkEvent[] = [];
  const notifications: proto.Message.IHistorySyncNotification[] = [];
  const downloads: string[] = [];
  let complete: HistoryCompleteEvent | undefined;
  const counter = { pulled: 0 };

  beforeAll(async () => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
    sim = await startSimulator({
      seed: 71,
      contacts: 2,
      history: { source: syntheticHistory(counter), messagesPerChunk: 700, pushNamesPerChunk: 20, recentChunks: 2 },
    });
    sim.on('history-chunk', (e: HistoryChunkEvent) => chunkEvents.push(e));
    sim.on('history-complete', (e: HistoryCompleteEvent) => (complete = e));
    sim.media.on('downloaded', (id: string) => downloads.push(id));
    // The product syncs FULL chunks too (Baileys' default skips them).
    ({ socket } = await pairAndOpen(sim, { shouldSyncHistoryMessage: () => true }, s => {
      s.sock.ev.on('messaging-history.set', h => sets.push(h));
      s.sock.ws.on('CB:message', (node: BinaryNode) => {
        const plain = Array.isArray(node.content) ? node.content.find(c => c.tag === 'plaintext') : undefined;
        if (!(plain?.content instanceof Uint8Array)) return;
        const notification = proto.Message.decode(plain.content).protocolMessage?.historySyncNotification;
        if (notification) notifications.push(notification);
      });
    }));
  });
  afterAll(async () => {
    await endSocket(socket);
    await sim.stop();
    restoreTrust();
  });

  it('delivers every message, chat and push name exactly once, in chunks fetched from the media host', async () => {
    await until(() => complete, 30_000);
    const received = () => sets.flatMap(s => s.messages);
    await until(() => (new Set(received().map(m => m.key.id)).size >= MESSAGES ? true : undefined), 30_000);
    await until(() => (sets.flatMap(s => s.contacts).filter(c => c.notify).length >= CONTACTS ? true : undefined));

    const messages = received();
    expect(messages).toHaveLength(MESSAGES); // no duplicates across chunks
    expect(new Set(messages.map(m => m.key.id)).size).toBe(MESSAGES);
    const sample = messages.find(m => m.key.id === 'HS000007');
    expect(sample?.message?.conversation).toBe('history message 7');
    expect(sample?.key.remoteJid).toBe(chatJid(7));
    expect(sample?.key.participant).toBe(contactJid(7));
    expect(new Set(sets.flatMap(s => s.chats).map(c => c.id))).toEqual(new Set(Array.from({ length: CHATS }, (_, c) => chatJid(c))));
    const pushed = new Map(sets.flatMap(s => s.contacts).filter(c => c.notify).map(c => [c.id, c.notify]));
    expect(pushed.size).toBe(CONTACTS);
    expect(pushed.get(contactJid(3))).toBe('Push 3');
    expect(await socket.sock.signalRepository.lidMapping.getLIDForPN(contactJid(3))).toBe('900001003@lid');

    // What went over the wire: notifications that point at blobs, never an inline payload.
    expect(complete).toMatchObject({ chunks: 7, messages: MESSAGES, pushNames: CONTACTS });
    expect(chunkEvents.map(e => e.syncType)).toEqual(['INITIAL_BOOTSTRAP', 'PUSH_NAME', 'RECENT', 'RECENT', 'FULL', 'FULL', 'PUSH_NAME']);
    expect(notifications).toHaveLength(7);
    for (const n of notifications) {
      expect(n.initialHistBootstrapInlinePayload?.length ?? 0).toBe(0);
      expect(n.directPath).toMatch(/^\/v\/t62\.7117-24\/[A-Za-z0-9_-]{43}\.enc/);
      expect(n.mediaKey?.length).toBe(32);
      expect(n.fileEncSha256?.length).toBe(32);
    }
    expect(new Set(downloads).size).toBeGreaterThanOrEqual(7);
    // Each notification was acknowledged twice over: the peer receipt and the hist_sync receipt.
    for (const e of chunkEvents) {
      const receipts = sim.deliveryOf(e.id)?.receipts.map(r => r.type) ?? [];
      expect(receipts).toEqual(expect.arrayContaining(['peer_msg', 'hist_sync']));
    }
    // Blobs the device fetched are dropped again.
    await until(() => (sim.media.size === 0 ? true : undefined));
  });
});

describe('streamed history sync across a dropped connection', () => {
  let restoreTrust: () => void;
  let sim: Simulator;

  beforeAll(() => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
  });
  afterAll(async () => {
    await sim.stop();
    restoreTrust();
  });

  it('a chunk in flight when the link dies is redelivered on reconnect; the stream waits meanwhile; nothing is missing', async () => {
    const counter = { pulled: 0 };
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>(resolve => (openGate = resolve));
    // The same history, but message 1,500 (which completes chunk 3 of 500) waits for the test.
    const gated = async function* (): AsyncGenerator<HistoryItem | HistoryItem[]> {
      for (const item of syntheticHistory(counter)()) {
        if (Array.isArray(item) && item[0]?.type === 'message' && item[0].message.id === 'HS001500') await gate;
        yield item;
      }
    };
    sim = await startSimulator({ seed: 72, contacts: 1, history: { source: gated, messagesPerChunk: 500, window: 1 } });
    const ids = new Set<string>();
    const collect = (s: TestSocket): void => s.sock.ev.on('messaging-history.set', h => h.messages.forEach(m => ids.add(m.key.id ?? '')));
    const chunkIds: string[] = [];
    sim.on('history-chunk', (e: HistoryChunkEvent) => chunkIds.push(e.id));
    let cut = '';
    // Chunk 3's notification dies with the link the moment it leaves the server (the write is
    // still queued when the socket is cut): the device never sees it, let alone acknowledges it.
    sim.on('delivery', (e: DeliveryEvent) => {
      if (cut || e.change !== 'sent' || e.delivery.stanza !== 'message' || chunkIds.length !== 2) return;
      if (chunkIds.includes(e.delivery.id)) return;
      cut = e.delivery.id;
      sim.injectFault({ kind: 'close' });
    });
    const overrides = { shouldSyncHistoryMessage: () => true };
    const paired = await pairAndOpen(sim, overrides, collect);
    // Chunks 1 and 2 are in the client's hands before chunk 3 can even be cut from the stream.
    await until(() => (ids.size === 1_000 ? true : undefined), 20_000);
    expect(counter.pulled).toBeLessThanOrEqual(CONTACTS + CHATS + 1_600); // up to the gated batch
    openGate();
    await paired.socket.closed;
    expect(cut).not.toBe('');
    expect(sim.deliveryOf(cut)).toMatchObject({ sentAt: [expect.any(Number)], ackedAt: undefined });
    // Window 1: with chunk 3 unacknowledged the phone holds one chunk (4) ready and reads no further.
    expect(counter.pulled).toBeLessThanOrEqual(CONTACTS + CHATS + 2_100);

    const again = connect(sim, paired.auth, overrides);
    collect(again);
    await waitForOpen(again.sock);
    await until(() => (ids.size >= MESSAGES ? true : undefined), 30_000);
    expect(ids.size).toBe(MESSAGES);
    const redelivered = await until(() => {
      const d = sim.deliveryOf(cut);
      return d?.ackedAt !== undefined ? d : undefined;
    });
    expect(redelivered.offline).toEqual([false, true]);
    expect(redelivered.receipts.map(r => r.type)).toContain('hist_sync');
    await endSocket(again);
  });
});
