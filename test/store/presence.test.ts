/** #14: presence is live state in memory — typing fades, old entries go, listeners hear every update. */
import { expect, it } from 'vitest';
import { PresenceBook, TYPING_TIMEOUT_MS } from '../../src/store/index.js';

const ALICE = '447700900001@s.whatsapp.net';
const BOB = '447700900002@s.whatsapp.net';
const GROUP = '120363000000000001@g.us';

it('typing reads as online once it is older than the timeout; last seen is kept until they come back', () => {
  let now = 1_000_000;
  const book = new PresenceBook(() => now);
  const heard: string[] = [];
  const off = book.subscribe((c) => heard.push(c));
  book.update(ALICE, { jid: ALICE, state: 'offline', lastSeen: 900_000 });
  expect(book.get(ALICE)).toEqual([{ jid: ALICE, state: 'offline', lastSeen: 900_000, at: now }]);
  now += 1_000;
  book.update(ALICE, { jid: ALICE, state: 'typing' });
  expect(book.get(ALICE)[0]).toMatchObject({ state: 'typing', lastSeen: 900_000 });
  now += TYPING_TIMEOUT_MS + 1;
  expect(book.get(ALICE)[0]?.state).toBe('online');
  book.update(GROUP, { jid: BOB, state: 'recording' });
  now += 10;
  book.update(GROUP, { jid: ALICE, state: 'typing' });
  expect(book.get(GROUP).map((p) => [p.jid, p.state])).toEqual([
    [ALICE, 'typing'],
    [BOB, 'recording'],
  ]);
  expect(heard).toEqual([ALICE, ALICE, GROUP, GROUP]);
  off();
  book.update(ALICE, { jid: ALICE, state: 'online' });
  expect(heard).toHaveLength(4);
  // Nothing older than a day is reported.
  now += 25 * 3_600_000;
  expect(book.get(ALICE)).toEqual([]);
});
