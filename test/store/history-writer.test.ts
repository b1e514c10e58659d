import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { HistoryWriter } from '../../src/store/history-writer.js';
import { openStore } from '../../src/store/index.js';
import { ALICE, ALICE_LID, BOB, msg, tempStore, type TempStore } from './helpers.js';

describe('HistoryWriter (bulk history in a worker thread)', () => {
  let t: TempStore;
  let w: HistoryWriter;
  beforeEach(() => {
    t = tempStore();
    w = HistoryWriter.open(t.path)!;
  });
  afterEach(() => {
    w.close();
    t.cleanup();
  });

  it('writes contacts, chats and messages the main connection then reads; a re-sent batch merges', async () => {
    expect(w).not.toBeNull();
    const batch = {
      contacts: [{ id: BOB, name: 'Bob Builder' }],
      chats: [{ id: BOB, name: 'Bob Builder', unreadCount: 0 }],
      messages: [msg(BOB, 'zebra crossing at noon'), msg(BOB, 'second note', { fromMe: true })],
    };
    await w.write(batch);
    expect(t.store.counters.get()).toMatchObject({ messages: 2, chats: 1, contacts: 1 });
    expect(t.store.messages.countMatches('zebra')).toBe(1);
    expect(t.store.chats.listChats({ limit: 10 }).items.map((c) => c.id)).toEqual([BOB]);
    await w.write(batch);
    expect(t.store.counters.get().messages).toBe(2);
  });

  it('follows a LID↔phone mapping the main thread learned between two writes', async () => {
    await w.write({ messages: [msg(ALICE_LID, 'before the mapping')] });
    t.store.identity.link(ALICE_LID, ALICE);
    await w.write({ messages: [msg(ALICE_LID, 'after the mapping')] });
    const chats = t.store.chats.listChats({ limit: 10 }).items.map((c) => c.id);
    expect(chats).toEqual([ALICE]);
    expect(t.store.messages.list(ALICE, { limit: 10 }).items.map((m) => m.body)).toEqual(
      expect.arrayContaining(['before the mapping', 'after the mapping']),
    );
  });

  it('starts a new thread after close()', async () => {
    await w.write({ messages: [msg(BOB, 'first burst')] });
    w.close();
    await w.write({ messages: [msg(BOB, 'second burst')] });
    expect(t.store.messages.countMatches('burst')).toBe(2);
  });

  it('is not offered for an in-memory store (a worker cannot share it)', () => {
    const mem = openStore(':memory:');
    try {
      expect(HistoryWriter.open(mem.path)).toBeNull();
    } finally {
      mem.close();
    }
  });
});
