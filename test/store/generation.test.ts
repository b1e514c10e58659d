/**
 * Issue #17: the store generation that read caches key on moves with every kind of write, by this
 * connection or another, stays put across reads, and is null inside a transaction.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ALICE, BOB, GROUP, msg, tempStore, type TempStore } from './helpers.js';

let t: TempStore;
let hello: ReturnType<typeof msg>;
beforeEach(() => {
  t = tempStore();
  hello = msg(ALICE, 'hello');
  t.store.messages.upsertMessages([hello, msg(GROUP, 'hi all', { from: BOB })]);
});
afterEach(() => t.cleanup());

it('stays put across reads', () => {
  const s = t.store;
  const g = s.generation();
  expect(g).toEqual(expect.any(Number));
  s.chats.listChats();
  s.chats.get(ALICE);
  s.messages.list(ALICE);
  s.messages.search('hello');
  s.contacts.resolve('Alice');
  expect(s.generation()).toBe(g);
});

it('moves with every kind of write through this connection', () => {
  const s = t.store;
  const writes: Array<[string, () => void]> = [
    ['message', () => s.messages.upsertMessages([msg(ALICE, 'again')])],
    ['contact name', () => s.contacts.upsertContacts([{ id: BOB, name: 'Robert' }])],
    ['group subject', () => s.groups.upsertGroups([{ id: GROUP, subject: 'Climbing' }])],
    ['reaction', () => s.messages.applyReactions([{ chatId: ALICE, targetKeyId: hello.keyId, from: BOB, fromMe: false, emoji: '👍', timestamp: Date.now() }])],
    ['unread count', () => s.chats.setUnread(ALICE, 7)],
    ['raw SQL on the connection', () => s.db.prepare("UPDATE chats SET name = 'Al' WHERE jid = ?").run(ALICE)],
  ];
  for (const [what, write] of writes) {
    const before = s.generation();
    write();
    expect(s.generation(), what).not.toBe(before);
  }
});

it('moves when another connection commits', () => {
  const g = t.store.generation();
  const other = new Database(t.path);
  try {
    other.prepare("UPDATE chats SET name = 'Renamed elsewhere' WHERE jid = ?").run(ALICE);
  } finally {
    other.close();
  }
  expect(t.store.generation()).not.toBe(g);
  expect(t.store.chats.get(ALICE)?.name).toBe('Renamed elsewhere');
});

it('is null inside a transaction', () => {
  const s = t.store;
  expect(s.db.transaction(() => s.generation())()).toBeNull();
  expect(s.generation()).toEqual(expect.any(Number));
});
