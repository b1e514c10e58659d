import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ALICE, BOB, msg, tempStore, type TempStore } from './helpers.js';

/** Migration 9: new keys in a small table, moved into the big one in hash order every 40,000 messages. */
describe('message keys: small table merged into the big one', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
  });
  afterEach(() => t.cleanup());

  const count = (table: string) => t.store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

  it('finds messages by key before and after the move, and a re-delivery under another timestamp merges', () => {
    const first = Array.from({ length: 20_000 }, (_, i) => msg(i % 2 ? ALICE : BOB, `early ${i}`));
    t.store.messages.upsertMessages(first);
    expect(count('message_keys_recent')).toBe(20_000);
    expect(count('message_keys_main')).toBe(0);
    // Found through the small table: same key, another timestamp (the rowid probe misses it).
    const probe = first[123]!;
    t.store.messages.upsertMessages([{ ...probe, timestamp: probe.timestamp + 3_600_000, body: 'moved copy' }]);
    expect(t.store.counters.get().messages).toBe(20_000);

    const second = Array.from({ length: 20_000 }, (_, i) => msg(i % 2 ? ALICE : BOB, `late ${i}`));
    t.store.messages.upsertMessages(second);
    expect(count('message_keys_recent')).toBe(0);
    expect(count('message_keys_main')).toBe(40_000);
    expect(count('message_keys')).toBe(40_000);
    // Found through the big table after the move.
    t.store.messages.upsertMessages([{ ...first[7]!, timestamp: first[7]!.timestamp + 7_200_000 }]);
    t.store.messages.upsertMessages([{ ...second[9]!, timestamp: second[9]!.timestamp - 7_200_000 }]);
    expect(t.store.counters.get().messages).toBe(40_000);
    expect(t.store.counters.recount().messages).toBe(40_000);
    const id = `${probe.chatId}:${probe.keyId}`;
    expect(t.store.messages.get(id)?.id).toBe(id);
  });

  it('survives a reopen with keys in both tables (the count of the small table is read again)', () => {
    t.store.messages.upsertMessages(Array.from({ length: 39_990 }, (_, i) => msg(BOB, `a ${i}`)));
    t.reopen();
    t.store.messages.upsertMessages(Array.from({ length: 20 }, (_, i) => msg(BOB, `b ${i}`)));
    expect(count('message_keys_recent')).toBe(0);
    expect(count('message_keys')).toBe(40_010);
  });
});
