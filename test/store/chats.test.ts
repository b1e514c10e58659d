import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ALICE, BOB, GROUP, msg, tempStore, type TempStore } from './helpers.js';

describe('chats', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
  });
  afterEach(() => t.cleanup());

  it('never downgrades a chat name to empty, a JID or a bare number', () => {
    const s = t.store;
    s.chats.upsertChats([{ id: ALICE, name: 'Alice' }]);
    for (const bad of ['', '   ', ALICE, '447911123456', '+44 7911 123456', null]) {
      s.chats.upsertChats([{ id: ALICE, name: bad }]);
      expect(s.chats.get(ALICE)?.name, String(bad)).toBe('Alice');
    }
    s.chats.upsertChats([{ id: ALICE, name: 'Alice Smith' }]);
    expect(s.chats.get(ALICE)?.name).toBe('Alice Smith');
    t.reopen();
    expect(t.store.chats.get(ALICE)?.name).toBe('Alice Smith');
  });

  it('shows a contact or group name, then +number, for chats without a stored name', () => {
    const s = t.store;
    s.messages.upsertMessages([msg(BOB, 'hi'), msg(ALICE, 'yo'), msg(GROUP, 'x', { from: BOB })]);
    expect(s.chats.get(BOB)?.name).toBe('+14155550123');
    s.contacts.upsertContacts([{ id: BOB, pushname: 'Bobby' }]);
    expect(s.chats.get(BOB)?.name).toBe('Bobby');
    s.contacts.upsertContacts([{ id: BOB, name: 'Robert' }]);
    expect(s.chats.get(BOB)?.name).toBe('Robert');
    s.groups.upsertGroups([{ id: GROUP, subject: 'Climbing' }]);
    expect(s.chats.get(GROUP)).toMatchObject({ name: 'Climbing', isGroup: true });
  });

  it('lists chats newest first with their last message, and only moves timestamps forward', () => {
    const s = t.store;
    const base = 1_700_000_000_000;
    s.messages.upsertMessages([
      msg(ALICE, 'a1', { timestamp: base + 1000 }),
      msg(BOB, 'b1', { timestamp: base + 2000 }),
      msg(ALICE, 'a2', { timestamp: base + 3000 }),
    ]);
    // an older history batch arriving later does not replace the last message
    s.messages.upsertMessages([msg(ALICE, 'a0', { timestamp: base })]);
    s.chats.upsertChats([{ id: BOB, timestamp: base - 10_000, unreadCount: 4 }]);
    const page = s.chats.listChats({ limit: 10 });
    expect(page.items.map((c) => [c.id, c.lastMessage?.body, c.timestamp])).toEqual([
      [ALICE, 'a2', base + 3000],
      [BOB, 'b1', base + 2000],
    ]);
    expect(page.items[1]!.unreadCount).toBe(4);
    expect(page.nextCursor).toBeUndefined();
    expect(s.chats.listChats({ includeLastMessage: false }).items[0]!.lastMessage).toBeUndefined();
    s.chats.setUnread(BOB, 0);
    expect(s.chats.get(BOB)?.unreadCount).toBe(0);
  });

  it('pages show the same last message as a single chat: reactions, details and "deleted for me" included', () => {
    const s = t.store;
    const located = msg(BOB, 'the crag', { type: 'location', details: { kind: 'location', latitude: 51.5, longitude: -0.12 } });
    const mine = msg(ALICE, 'hi');
    s.messages.upsertMessages([located, mine, msg(GROUP, 'gone', { from: BOB })]);
    s.messages.applyReactions([{ chatId: ALICE, targetKeyId: mine.keyId, from: BOB, fromMe: false, emoji: '🎉', timestamp: mine.timestamp + 5 }]);
    const gone = s.chats.get(GROUP)!.lastMessage!;
    expect(s.messages.applyDeleteForMe(gone.id, gone.timestamp + 9)).toBe(true);
    const listed = s.chats.listChats().items;
    expect(listed.map((c) => c.id).sort()).toEqual([ALICE, BOB, GROUP].sort());
    for (const c of listed) expect(c, c.id).toEqual(s.chats.get(c.id));
    expect(listed.find((c) => c.id === ALICE)?.lastMessage?.reactions).toEqual([{ emoji: '🎉', from: BOB, time: mine.timestamp + 5 }]);
    expect(listed.find((c) => c.id === BOB)?.lastMessage?.details).toMatchObject({ kind: 'location', latitude: 51.5 });
    expect(listed.find((c) => c.id === GROUP)?.lastMessage?.deletedAt).toBe(gone.timestamp + 9);
    expect(s.chats.listGroups().items[0]).toEqual(s.chats.get(GROUP));
  });

  it('paginates with a cursor that is stable while chats are added and bumped', () => {
    const s = t.store;
    const base = 1_700_000_000_000;
    const jids = Array.from({ length: 30 }, (_, i) => `4479000000${String(i).padStart(2, '0')}@s.whatsapp.net`);
    s.messages.upsertMessages(jids.map((j, i) => msg(j, `m${i}`, { timestamp: base + i * 1000 })));
    const p1 = s.chats.listChats({ limit: 10 });
    expect(p1.items.map((c) => c.id)).toEqual(jids.slice(20).reverse());
    // concurrent activity: a brand-new chat and a bump of an already-listed chat
    s.messages.upsertMessages([msg('447800000001@s.whatsapp.net', 'new', { timestamp: base + 99_000 }), msg(jids[25]!, 'bump', { timestamp: base + 98_000 })]);
    const seen = [...p1.items.map((c) => c.id)];
    let cursor = p1.nextCursor;
    while (cursor) {
      const p = s.chats.listChats({ limit: 10, cursor });
      seen.push(...p.items.map((c) => c.id));
      cursor = p.nextCursor;
    }
    expect(seen).toEqual(jids.slice().reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('lists every group, also groups without messages', () => {
    const s = t.store;
    const groups = Array.from({ length: 25 }, (_, i) => ({ id: `12036300000000${String(i).padStart(4, '0')}@g.us`, subject: `G${i}` }));
    s.groups.upsertGroups(groups);
    s.messages.upsertMessages([msg(groups[3]!.id, 'hello', { from: BOB }), msg(ALICE, 'direct')]);
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const p = s.chats.listGroups({ limit: 10, cursor });
      all.push(...p.items.map((c) => c.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(all).toHaveLength(25);
    expect(all[0]).toBe(groups[3]!.id);
    expect(all).not.toContain(ALICE);
    expect(s.counters.get()).toMatchObject({ groups: 25, chats: 26 });
  });

  it('filters chats by name and by last-message type', () => {
    const s = t.store;
    s.chats.upsertChats([{ id: ALICE, name: 'Alice Wonder' }, { id: BOB, name: 'Bob' }]);
    s.messages.upsertMessages([msg(ALICE, 'x'), msg(BOB, '', { type: 'protocol' })]);
    expect(s.chats.listChats({ query: 'wonder' }).items.map((c) => c.id)).toEqual([ALICE]);
    expect(s.chats.listChats({ lastMessageTypes: ['protocol', 'system'] }).items.map((c) => c.id)).toEqual([BOB]);
  });
});
