/**
 * Issue #17, bulk mode during a history set (src/whatsapp/ingest.ts + store/repos/index-maintenance.ts):
 * the set is written whole and the store leaves bulk mode, also when the optional upkeep fails —
 * WhatsApp does not send a history set twice.
 */
import type { WAMessage } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it } from 'vitest';

import { silentLogger } from '../../src/logger.js';
import { Ingestor } from '../../src/whatsapp/ingest.js';
import { tempStore, type TempStore } from '../store/helpers.js';

const ALICE = '447700900001@s.whatsapp.net';

function historySet(n: number, from = 0): Parameters<Ingestor['handle']>[0] {
  const messages = Array.from({ length: n }, (_, i) => ({
    key: { remoteJid: ALICE, fromMe: false, id: `H${String(from + i).padStart(8, '0')}` },
    messageTimestamp: 1_736_500_000 + from + i,
    message: { conversation: `history line ${from + i}` },
  })) as WAMessage[];
  return { 'messaging-history.set': { chats: [{ id: ALICE, name: 'Alice' }], contacts: [], messages, isLatest: false, progress: 50, syncType: 0 } as never };
}

const automerge = (t: TempStore) => t.store.db.prepare(`SELECT v FROM messages_fts_config WHERE k = 'automerge'`).pluck().get();

describe('history sets in bulk mode', () => {
  let t: TempStore;
  afterEach(() => t.cleanup());

  it('writes every message and leaves bulk mode (automerge and in-commit checkpoints back)', async () => {
    t = tempStore();
    const ingest = new Ingestor(t.store, silentLogger());
    await ingest.handle(historySet(3_000), () => {});
    expect(t.store.counters.recount().messages).toBe(3_000);
    expect(t.store.messages.countMatches('history')).toBe(3_000);
    expect(automerge(t)).toBe(4);
    expect(t.store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
  });

  it('an upkeep step that fails does not cost a single message: the set is written without bulk mode', async () => {
    t = tempStore();
    let calls = 0;
    const step = t.store.maintenance.step.bind(t.store.maintenance);
    t.store.maintenance.step = () => {
      if (++calls === 2) throw new Error('SQLITE_FULL: database or disk is full');
      return step();
    };
    const ingest = new Ingestor(t.store, silentLogger());
    await ingest.handle(historySet(3_000), () => {});
    expect(calls).toBe(2); // no more steps after the failure
    expect(t.store.counters.recount().messages).toBe(3_000);
    expect(t.store.messages.countMatches('history')).toBe(3_000);
    expect(automerge(t)).toBe(4);
    // The next set uses bulk mode again.
    await ingest.handle(historySet(500, 3_000), () => {});
    expect(calls).toBeGreaterThan(2);
    expect(t.store.counters.recount().messages).toBe(3_500);
  });

  it('bulk mode that cannot start does not stop the set either', async () => {
    t = tempStore();
    t.store.maintenance.setBulk = (on: boolean) => {
      if (on) throw new Error('worker threads unavailable');
    };
    const ingest = new Ingestor(t.store, silentLogger());
    await ingest.handle(historySet(1_000), () => {});
    expect(t.store.counters.recount().messages).toBe(1_000);
  });
});
