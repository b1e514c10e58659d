/**
 * Issue #17: the history-sync path end to end at a size the suite can afford (50,000 messages; the
 * 1M figure is `npm run bench -- history`). The simulated phone uploads the account as WhatsApp does
 * for a fresh link — zlib-compressed HistorySync chunks on the media host, announced one by one — and
 * the real Baileys socket downloads, decrypts and hands them to our ingest. A correctness check, not a
 * timed test: every message stored once and searchable, chat and contact counts exact.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { historyDataset } from '../../bench/history-data.js';
import { eventually } from '../helpers/app.js';
import { pair, silenceConsole, startSim, startSimApp } from '../helpers/sim-app.js';
import type { Simulator } from '../../src/simulator/index.js';
import type { TestApp } from '../helpers/app.js';

const MESSAGES = 50_000;
const data = historyDataset(MESSAGES);
let sim: Simulator;
let t: TestApp;

beforeAll(async () => {
  silenceConsole();
  sim = await startSim({ contacts: 0, groups: 0, history: { source: data.source, totalMessages: MESSAGES, messagesPerChunk: 5_000 } });
  t = await startSimApp(sim);
});

afterAll(async () => {
  await t?.stop();
  await sim?.stop();
});

it('stores a 50k-message streamed history exactly once, searchable, with exact chat and contact counts', async () => {
  await pair(t, sim);
  // Besides the account's messages the store keeps the phone's HISTORY_SYNC_NOTIFICATION stubs (one per
  // chunk, in the self chat); they are counted apart.
  const selfChat = sim.phone.jid;
  const stubs = () => t.app.store.messages.list(selfChat, { limit: 500 }).items.filter((m) => m.type === 'protocol').length;
  await eventually(() => {
    const c = t.app.store.counters.get();
    return c.messages - stubs() >= MESSAGES && c.contacts >= data.contacts;
  }, 240_000, 200);
  const counters = t.app.store.counters.get();
  const n = stubs();
  expect(n).toBeGreaterThan(0);
  expect(counters.messages - n).toBe(MESSAGES);
  expect(t.app.store.counters.recount()).toMatchObject({ messages: MESSAGES + n, chats: data.chats + 1, groups: data.cfg.groups });
  // Every contact of the dataset arrived (PUSH_NAME chunks come last); Baileys also reports each named
  // group of the history as a contact, which the store keeps (group names resolve like contact names).
  expect(t.app.store.counters.recount().contacts).toBe(data.contacts + data.cfg.groups);
  // Every tracked query finds exactly as many messages as the generator wrote.
  for (const q of data.queries) expect(t.app.store.messages.countMatches(q.query), q.query).toBe(q.count);
  // And over MCP-facing paging: the busiest chat pages back to its first message without repeats.
  const busiest = t.app.store.chats.listChats({ limit: 1 }).items[0]!;
  const seen = new Set<string>();
  for (let p = t.app.store.messages.list(busiest.id, { limit: 500 }); ; p = t.app.store.messages.list(busiest.id, { limit: 500, cursor: p.nextCursor })) {
    for (const m of p.items) {
      expect(seen.has(m.id)).toBe(false);
      seen.add(m.id);
    }
    if (!p.nextCursor) break;
  }
  expect(seen.size).toBeGreaterThan(0);
  // Every set was written in bulk mode (index-maintenance.ts): once the last is in, the store is back to
  // FTS5 automerge and in-commit checkpoints, and the key table's small half stays under its inline cap.
  const db = t.app.store.db;
  await eventually(() => db.prepare(`SELECT v FROM messages_fts_config WHERE k = 'automerge'`).pluck().get() === 4, 30_000, 100);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
  expect(db.prepare('SELECT count(*) FROM message_keys_recent').pluck().get()).toBeLessThan(40_000);
}, 300_000);
