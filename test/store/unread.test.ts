/** Unread counts kept by the store: incoming messages with content above a read marker. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tempStore, type TempStore } from './helpers.js';

const ALICE = '447911123456@s.whatsapp.net';
const GROUP = '120363000000000009@g.us';
const T = Date.UTC(2025, 2, 1, 12, 0, 0);

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

const incoming = (keyId: string, ts: number, extra: Record<string, unknown> = {}) => ({ chatId: ALICE, keyId, fromMe: false, timestamp: ts, type: 'text', body: keyId, ...extra });

it('counts incoming messages with content, not own messages, reactions or protocol stubs', () => {
  const s = t.store;
  s.messages.upsertMessages([
    incoming('A1', T),
    incoming('A2', T + 1000),
    { ...incoming('ME', T + 2000), fromMe: true },
    incoming('R1', T + 3000, { type: 'reaction', body: '👍' }),
    incoming('P1', T + 4000, { type: 'protocol', body: '' }),
  ]);
  expect(s.chats.get(ALICE)?.unreadCount).toBe(2);
  // A re-delivery is not a new unread message.
  s.messages.upsertMessages([incoming('A2', T + 1000)]);
  expect(s.chats.get(ALICE)?.unreadCount).toBe(2);
});

it('an absolute count (history sync) covers older messages; later ones add to it; reads recount', () => {
  const s = t.store;
  s.chats.upsertChats([{ id: ALICE, unreadCount: 5, timestamp: T + 10_000 }]);
  s.messages.upsertMessages([incoming('OLD', T + 5_000)]); // history: already in the 5
  expect(s.chats.get(ALICE)?.unreadCount).toBe(5);
  s.messages.upsertMessages([incoming('NEW1', T + 20_000), incoming('NEW2', T + 21_000)]);
  expect(s.chats.get(ALICE)?.unreadCount).toBe(7);
  // Read up to NEW1 (a read receipt from our own phone): only NEW2 is left.
  s.messages.updateStatuses([{ id: `${ALICE}:NEW1`, status: 'read' }]);
  expect(s.chats.get(ALICE)?.unreadCount).toBe(1);
  // The phone marked the chat read (chats.update unreadCount 0), then unread (-1).
  s.chats.upsertChats([{ id: ALICE, markedRead: true }]);
  expect(s.chats.get(ALICE)?.unreadCount).toBe(0);
  s.chats.upsertChats([{ id: ALICE, markedUnread: true }]);
  expect(s.chats.get(ALICE)?.unreadCount).toBe(1);
});

it('unreadUpTo lists what a read receipt covers, with group authors, oldest first', () => {
  const s = t.store;
  const BOB = '447911000002@s.whatsapp.net';
  s.messages.upsertMessages([
    { chatId: GROUP, keyId: 'G1', from: ALICE, fromMe: false, timestamp: T, type: 'text', body: 'one' },
    { chatId: GROUP, keyId: 'G2', from: BOB, fromMe: false, timestamp: T + 1000, type: 'text', body: 'two' },
    { chatId: GROUP, keyId: 'G3', from: ALICE, fromMe: false, timestamp: T + 2000, type: 'text', body: 'three' },
  ]);
  const upTo = s.messages.unreadUpTo(GROUP, `${GROUP}:G2`)!;
  expect(upTo.messages).toEqual([
    { keyId: 'G1', sender: ALICE },
    { keyId: 'G2', sender: BOB },
  ]);
  expect(s.chats.markRead(GROUP, upTo.marker)).toBe(1);
  expect(s.messages.unreadUpTo(GROUP)!.messages.map((m) => m.keyId)).toEqual(['G3']);
  expect(s.messages.unreadUpTo(GROUP, `${ALICE}:G3`)).toBeNull(); // a message of another chat
});

it('messages of the same timestamp keep their arrival order', () => {
  const s = t.store;
  const keys = ['Z9', 'A1', 'M5', 'B2', 'Y8'];
  for (const k of keys) s.messages.upsertMessages([incoming(k, T)]);
  expect(s.messages.list(ALICE).items.map((m) => m.id.split(':')[1])).toEqual(keys);
});

it('a history count covers messages below the marker: mark_as_read still receipts them', () => {
  const s = t.store;
  s.chats.upsertChats([{ id: ALICE, unreadCount: 2, timestamp: T + 10_000 }]);
  s.messages.upsertMessages([incoming('H1', T + 1000), incoming('H2', T + 2000), { ...incoming('H3', T + 3000), fromMe: true }, incoming('H4', T + 4000)]);
  expect(s.chats.get(ALICE)?.unreadCount).toBe(2);
  const all = s.messages.unreadUpTo(ALICE)!;
  expect(all.messages.map((m) => m.keyId)).toEqual(['H2', 'H4']);
  expect(s.messages.unreadUpTo(ALICE, `${ALICE}:H2`)!.messages.map((m) => m.keyId)).toEqual(['H2']);
  expect(s.chats.markRead(ALICE, all.marker)).toBe(0);
  expect(s.messages.unreadUpTo(ALICE)!.messages).toEqual([]);
});
