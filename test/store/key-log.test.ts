import { statSync } from 'node:fs';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ALICE, BOB, msg, tempStore, type TempStore } from './helpers.js';

/**
 * Migration 9 + store/repos/index-maintenance.ts: new keys in a small table, moved into the big one in hash
 * ranges by `maintenance.step()` (bulk writers) or all at once past the inline cap (nobody stepping).
 */
describe('message keys: small table moved into the big one', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
  });
  afterEach(() => t.cleanup());

  const count = (table: string) => t.store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

  it('moves 20,000 keys in bounded steps; every message is found by key in the middle of the sweep and after it', () => {
    const first = Array.from({ length: 20_000 }, (_, i) => msg(i % 2 ? ALICE : BOB, `early ${i}`));
    t.store.messages.upsertMessages(first.slice(0, 19_999));
    expect(t.store.maintenance.step()).toBe(false); // below the sweep threshold: nothing to move (or merge)
    t.store.messages.upsertMessages(first.slice(19_999));
    expect(count('message_keys_recent')).toBe(20_000);
    expect(count('message_keys_main')).toBe(0);

    // One step moves one hash range of 1,250 keys, not the whole table.
    expect(t.store.maintenance.step()).toBe(true);
    const left = count('message_keys_recent');
    expect(left).toBe(18_750);
    expect(count('message_keys_main')).toBe(1_250);
    // Mid-sweep, keys live in both tables: a re-delivery under another timestamp (the rowid probe misses it)
    // still merges, whichever table holds its key.
    for (const m of [first[5]!, first[10_000]!, first[19_999]!]) {
      t.store.messages.upsertMessages([{ ...m, timestamp: m.timestamp + 3_600_000, body: 'moved copy' }]);
    }
    expect(t.store.counters.get().messages).toBe(20_000);

    let steps = 1;
    while (count('message_keys_recent') > 0 && steps < 40) {
      t.store.maintenance.step();
      steps++;
    }
    expect(steps).toBe(16);
    expect(count('message_keys_recent')).toBe(0);
    expect(count('message_keys_main')).toBe(20_000);
    expect(count('message_keys')).toBe(20_000);
    t.store.messages.upsertMessages([{ ...first[7]!, timestamp: first[7]!.timestamp - 7_200_000 }]);
    expect(t.store.counters.recount().messages).toBe(20_000);
    const probe = first[123]!;
    expect(t.store.messages.get(`${probe.chatId}:${probe.keyId}`)?.id).toBe(`${probe.chatId}:${probe.keyId}`);
  });

  it('with nobody stepping, moves every key inline once 40,000 wait, and after a reopen counts the small table again', () => {
    t.store.messages.upsertMessages(Array.from({ length: 30_000 }, (_, i) => msg(BOB, `a ${i}`)));
    expect(t.store.maintenance.step()).toBe(true); // a sweep starts: some keys move
    t.reopen();
    const before = count('message_keys_recent');
    expect(before).toBe(28_750);
    t.store.messages.upsertMessages(Array.from({ length: 40_000 - before - 1 }, (_, i) => msg(ALICE, `b ${i}`)));
    expect(count('message_keys_recent')).toBe(39_999);
    t.store.messages.upsertMessages([msg(ALICE, 'the one that crosses the cap')]);
    expect(count('message_keys_recent')).toBe(0);
    expect(count('message_keys')).toBe(count('messages'));
  });
});

describe('search index merges deferred for bulk writes', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
  });
  afterEach(() => t.cleanup());

  const automerge = () => t.store.db.prepare(`SELECT v FROM messages_fts_config WHERE k = 'automerge'`).pluck().get() as number | undefined;
  const segments = () => t.store.db.prepare(`SELECT count(*) FROM messages_fts_data`).pluck().get() as number;

  it('writes merge nothing while deferred; steps merge in bounds until nothing is left; results never change', () => {
    t.store.maintenance.setBulk(true);
    expect(automerge()).toBe(0);
    for (let b = 0; b < 40; b++) {
      t.store.messages.upsertMessages(Array.from({ length: 50 }, (_, i) => msg(ALICE, `batch${b} item ${i} shared`)));
    }
    const rows0 = segments();
    const hits = t.store.messages.countMatches('shared');
    expect(hits).toBe(2000);
    let steps = 0;
    while (t.store.maintenance.step() && steps < 1000) steps++;
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThan(1000);
    expect(segments()).toBeLessThan(rows0);
    expect(t.store.messages.countMatches('shared')).toBe(hits);
    expect(t.store.messages.search('batch7').hits).toHaveLength(20);
    t.store.maintenance.setBulk(false);
    expect(automerge()).toBe(4);
  });

  it('a store closed in bulk mode (a crash mid-sync) gets automerge back when it opens', () => {
    t.store.maintenance.setBulk(true);
    t.store.messages.upsertMessages([msg(BOB, 'hello')]);
    expect(automerge()).toBe(0);
    t.reopen();
    expect(automerge()).toBe(4);
    expect(t.store.messages.countMatches('hello')).toBe(1);
  });
});

describe('bulk mode checkpoints on a thread', () => {
  it('the committing connection stops checkpointing, the thread copies the WAL into the database, and off restores it', async () => {
    const t = tempStore();
    try {
      const autocheckpoint = () => t.store.db.pragma('wal_autocheckpoint', { simple: true });
      expect(autocheckpoint()).toBe(10_000);
      t.store.maintenance.setBulk(true);
      expect(autocheckpoint()).toBe(0);
      const dbSize = statSync(t.path).size;
      for (let b = 0; b < 10; b++) t.store.messages.upsertMessages(Array.from({ length: 500 }, (_, i) => msg(BOB, `bulk ${b} ${i}`)));
      expect(statSync(`${t.path}-wal`).size).toBeGreaterThan(1_000_000);
      // Only a checkpoint copies pages into the database file, and this connection no longer runs any.
      const deadline = Date.now() + 10_000;
      while (statSync(t.path).size <= dbSize && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(statSync(t.path).size).toBeGreaterThan(dbSize);
      expect(t.store.maintenance.checkpointing).toBe(true);
      t.store.maintenance.setBulk(false);
      expect(autocheckpoint()).toBe(10_000);
      expect(t.store.messages.countMatches('bulk')).toBe(5_000);
      // The thread lingers a little for the next history set, then ends: an idle server keeps no thread.
      expect(t.store.maintenance.checkpointing).toBe(true);
      const gone = Date.now() + 10_000;
      while (t.store.maintenance.checkpointing && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
      expect(t.store.maintenance.checkpointing).toBe(false);
      // Bulk mode again starts a new one.
      t.store.maintenance.setBulk(true);
      expect(t.store.maintenance.checkpointing).toBe(true);
      expect(autocheckpoint()).toBe(0);
    } finally {
      t.cleanup();
    }
  });
});
