/** resolve_contact tolerates typos and another script, always below literal matches. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tempStore, type TempStore } from './helpers.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
  t.store.contacts.upsertContacts([
    { id: '447700900001@s.whatsapp.net', name: 'Alice Novak' },
    { id: '447700900002@s.whatsapp.net', name: 'Наташа Петрова' },
    { id: '447700900003@s.whatsapp.net', pushname: 'Natalie' },
    { id: '447700900004@s.whatsapp.net', name: 'Bob Brown' },
  ]);
});
afterEach(() => t.cleanup());

it('finds "Alise Novak" (a typo) and "Natasha" (Latin for Наташа), with matchedBy and a score', () => {
  const alice = t.store.contacts.resolve('Alise Novak');
  expect(alice[0]).toMatchObject({ id: '447700900001@s.whatsapp.net', matchedBy: 'name' });
  expect(alice[0]!.score).toBeGreaterThan(0.5);
  expect(alice[0]!.score).toBeLessThan(0.7);
  const natasha = t.store.contacts.resolve('Natasha');
  expect(natasha[0]).toMatchObject({ id: '447700900002@s.whatsapp.net', matchedBy: 'name' });
  expect(t.store.contacts.resolve('Petrova natasha')[0]?.id).toBe('447700900002@s.whatsapp.net');
});

it('a literal match always ranks above a fuzzy one, and unrelated names never match', () => {
  const r = t.store.contacts.resolve('Natali');
  expect(r[0]).toMatchObject({ id: '447700900003@s.whatsapp.net', matchedBy: 'pushname' });
  expect(r[0]!.score).toBeGreaterThan(r[1]?.score ?? 0);
  expect(t.store.contacts.resolve('Zebediah')).toEqual([]);
  expect(t.store.contacts.resolve('Bop Brwon').map((c) => c.id)).toEqual(['447700900004@s.whatsapp.net']);
});
