import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { InvalidCursorError } from '../../src/store/index.js';
import { ALICE, BOB, GROUP, msg, tempStore, type TempStore } from './helpers.js';

describe('messages', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
  });
  afterEach(() => t.cleanup());

  it('stores SPEC-shaped messages and keeps the raw proto bytes', () => {
    const s = t.store;
    const raw = new Uint8Array([0, 1, 2, 250, 255, 10, 13]);
    const m = msg(ALICE, 'hi', { raw, quotedId: 'Q1', status: 'sent', fromMe: true });
    expect(s.messages.upsertMessages([m])).toEqual({ inserted: 1, updated: 0, skipped: 0 });
    const got = s.messages.get(`${ALICE}:${m.keyId}`);
    expect(got).toEqual({
      id: `${ALICE}:${m.keyId}`,
      chatId: ALICE,
      from: 'me',
      fromMe: true,
      timestamp: m.timestamp,
      body: 'hi',
      type: 'text',
      hasMedia: false,
      status: 'sent',
      quotedId: `${ALICE}:Q1`,
    });
    t.reopen();
    expect(Array.from(t.store.messages.getRaw(`+44 7911 123456:${m.keyId}`) ?? [])).toEqual(Array.from(raw));
    expect(t.store.messages.get(`${ALICE}:nope`)).toBeNull();
    expect(t.store.messages.get('garbage')).toBeNull();
  });

  it('merges re-delivered messages without blanking or downgrading anything', () => {
    const s = t.store;
    const m = msg(ALICE, 'original', { status: 'read', raw: new Uint8Array([1, 2, 3]), hasMedia: true, type: 'image', caption: 'cap' });
    s.messages.upsertMessages([m]);
    const again = { ...m, body: null, caption: '', status: 'sent' as const, raw: null, hasMedia: false, type: 'unknown' };
    expect(s.messages.upsertMessages([again])).toEqual({ inserted: 0, updated: 1, skipped: 0 });
    expect(s.messages.get(`${ALICE}:${m.keyId}`)).toMatchObject({ body: 'original', status: 'read', hasMedia: true, type: 'image' });
    expect(s.messages.getRaw(`${ALICE}:${m.keyId}`)).toEqual(new Uint8Array([1, 2, 3]));
    expect(s.counters.get().messages).toBe(1);
  });

  it('keeps one message per (chat, key id) whatever the timestamp of a re-delivery', () => {
    const s = t.store;
    const m = msg(ALICE, 'sent from here', { fromMe: true, status: 'sent' });
    s.messages.upsertMessages([m]);
    // The same key comes back with the server's time (later and earlier), alone and inside a batch
    // that also repeats it: still one message, merged, counters unchanged.
    const later = { ...m, timestamp: m.timestamp + 2_345, status: 'delivered' as const };
    const earlier = { ...m, timestamp: m.timestamp - 86_400_000, body: null };
    expect(s.messages.upsertMessages([later])).toEqual({ inserted: 0, updated: 1, skipped: 0 });
    expect(s.messages.upsertMessages([earlier, msg(ALICE, 'new one'), later])).toEqual({ inserted: 1, updated: 2, skipped: 0 });
    const page = s.messages.list(ALICE);
    expect(page.items.filter((x) => x.id === `${ALICE}:${m.keyId}`)).toHaveLength(1);
    expect(s.messages.get(`${ALICE}:${m.keyId}`)).toMatchObject({ body: 'sent from here', status: 'delivered', timestamp: m.timestamp });
    expect(s.counters.get().messages).toBe(2);
    // The same key id in another chat is another message.
    expect(s.messages.upsertMessages([{ ...m, chatId: BOB, timestamp: m.timestamp + 5 }])).toEqual({ inserted: 1, updated: 0, skipped: 0 });
    // And it survives a reopen (the key table is on disk, not in memory).
    t.reopen();
    expect(t.store.messages.upsertMessages([{ ...m, timestamp: m.timestamp + 99_999 }])).toEqual({ inserted: 0, updated: 1, skipped: 0 });
    expect(t.store.counters.get().messages).toBe(3);
  });

  it('moves status forward only', () => {
    const s = t.store;
    const m = msg(ALICE, 'x', { fromMe: true, status: 'pending' });
    s.messages.upsertMessages([m]);
    const id = `${ALICE}:${m.keyId}`;
    const status = () => s.messages.get(id)?.status;
    expect(s.messages.updateStatuses([{ id, status: 'delivered' }])).toBe(1);
    expect(status()).toBe('delivered');
    expect(s.messages.updateStatuses([{ id, status: 'sent' }])).toBe(0);
    expect(s.messages.updateStatuses([{ id, status: 'error' }])).toBe(0);
    expect(status()).toBe('delivered');
    s.messages.updateStatuses([{ id, status: 'read' }, { id, status: 'delivered' }]);
    expect(status()).toBe('read');
    const p = msg(ALICE, 'y', { fromMe: true, status: 'pending' });
    s.messages.upsertMessages([p]);
    expect(s.messages.updateStatuses([{ id: `${ALICE}:${p.keyId}`, status: 'error' }])).toBe(1);
    expect(s.messages.get(`${ALICE}:${p.keyId}`)?.status).toBe('error');
  });

  it('records edits and revokes', () => {
    const s = t.store;
    const m = msg(ALICE, 'see you at noon');
    s.messages.upsertMessages([m]);
    const id = `${ALICE}:${m.keyId}`;
    expect(s.messages.applyEdit(id, 'see you at midnight', m.timestamp + 5000)).toBe(true);
    expect(s.messages.get(id)).toMatchObject({ body: 'see you at midnight', editedAt: m.timestamp + 5000 });
    expect(s.messages.search('noon').hits).toHaveLength(0);
    expect(s.messages.search('midnight').hits.map((h) => h.message.id)).toEqual([id]);
    expect(s.messages.applyRevoke(id, m.timestamp + 9000)).toBe(true);
    expect(s.messages.get(id)?.revokedAt).toBe(m.timestamp + 9000);
    expect(s.messages.history(id)).toEqual([
      { kind: 'edit', oldBody: 'see you at noon', at: m.timestamp + 5000 },
      { kind: 'revoke', oldBody: 'see you at midnight', at: m.timestamp + 9000 },
    ]);
    // a re-delivery of the original text does not undo the edit
    s.messages.upsertMessages([m]);
    expect(s.messages.get(id)?.body).toBe('see you at midnight');
    expect(s.messages.applyEdit(`${ALICE}:missing`, 'x', 1)).toBe(false);
  });

  it('pages chronologically with a cursor that is stable under concurrent inserts', () => {
    const s = t.store;
    const base = 1_700_000_000_000;
    s.messages.upsertMessages(Array.from({ length: 25 }, (_, i) => msg(ALICE, `m${i}`, { timestamp: base + i * 1000 })));
    s.messages.upsertMessages([msg(BOB, 'other chat', { timestamp: base + 500 })]);
    const p1 = s.messages.list(ALICE, { limit: 10 });
    expect(p1.items.map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `m${15 + i}`));
    // New messages (newer, and one same-millisecond as the page boundary) arrive while paging.
    s.messages.upsertMessages([msg(ALICE, 'new1', { timestamp: base + 100_000 }), msg(ALICE, 'dup-ts', { timestamp: base + 30_000 })]);
    const seen = [...p1.items.map((m) => m.body)];
    let cursor = p1.nextCursor;
    while (cursor) {
      const p = s.messages.list(ALICE, { limit: 10, cursor });
      seen.unshift(...p.items.map((m) => m.body));
      cursor = p.nextCursor;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
    expect(s.messages.list(ALICE, { limit: 3, before: base + 3000 }).items.map((m) => m.body)).toEqual(['m0', 'm1', 'm2']);
    expect(() => s.messages.list(ALICE, { cursor: 'bogus' })).toThrow(InvalidCursorError);
    expect(s.messages.list('unknown@s.whatsapp.net').items).toEqual([]);
  });

  it('keeps messages with identical timestamps apart (rowid slot collisions)', () => {
    const s = t.store;
    const ts = 1_700_000_123_456;
    const batch = Array.from({ length: 50 }, (_, i) => msg(ALICE, `same ${i}`, { timestamp: ts, keyId: `SAME${i}` }));
    expect(s.messages.upsertMessages(batch).inserted).toBe(50);
    expect(s.messages.list(ALICE, { limit: 100 }).items).toHaveLength(50);
    expect(s.messages.search('same').hits).toHaveLength(20);
    expect(s.messages.countMatches('same')).toBe(50);
  });

  it('returns N messages before and after the target', () => {
    const s = t.store;
    const base = 1_700_000_000_000;
    const ms = Array.from({ length: 30 }, (_, i) => msg(ALICE, `c${i}`, { timestamp: base + i * 1000 }));
    s.messages.upsertMessages(ms);
    s.messages.upsertMessages([msg(BOB, 'noise', { timestamp: base + 10_500 })]);
    const ctx = s.messages.context(`${ALICE}:${ms[10]!.keyId}`, 3);
    expect(ctx?.before.map((m) => m.body)).toEqual(['c7', 'c8', 'c9']);
    expect(ctx?.target.body).toBe('c10');
    expect(ctx?.after.map((m) => m.body)).toEqual(['c11', 'c12', 'c13']);
    const edge = s.messages.context(`${ALICE}:${ms[1]!.keyId}`, 5);
    expect(edge?.before.map((m) => m.body)).toEqual(['c0']);
    expect(s.messages.context(`${ALICE}:missing`, 5)).toBeNull();
  });

  it('finds the last interaction in the direct chat or in groups', () => {
    const s = t.store;
    const base = 1_700_000_000_000;
    s.messages.upsertMessages([
      msg(ALICE, 'direct', { timestamp: base }),
      msg(GROUP, 'in group', { from: ALICE, timestamp: base + 5000 }),
      msg(GROUP, 'bob in group', { from: BOB, timestamp: base + 9000 }),
    ]);
    expect(s.messages.lastInteraction('+44 7911 123456')?.body).toBe('in group');
    s.messages.upsertMessages([msg(ALICE, 'reply', { fromMe: true, timestamp: base + 7000 })]);
    expect(s.messages.lastInteraction(ALICE)?.body).toBe('reply');
    expect(s.messages.lastInteraction(GROUP)?.body).toBe('bob in group');
    expect(s.messages.lastInteraction('99999999@s.whatsapp.net')).toBeNull();
  });

  it('skips unusable inputs instead of failing the batch', () => {
    const s = t.store;
    const r = s.messages.upsertMessages([msg('not-a-jid', 'x'), msg(ALICE, 'ok'), { ...msg(ALICE, 'y'), keyId: '' }]);
    expect(r).toEqual({ inserted: 1, updated: 0, skipped: 2 });
  });
});
