/** The search syntax on top of words, phrases and prefixes: OR alternatives and -exclusions. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tempStore, type TempStore } from './helpers.js';

const CHAT = '447911123456@s.whatsapp.net';
const T = Date.UTC(2025, 2, 1, 12, 0, 0);
let t: TempStore;
beforeEach(() => {
  t = tempStore();
  const bodies = ['pizza tonight', 'sushi tonight', 'pizza cancelled', 'pasta and wine', 'OR is a word here', 'a "quoted" pizza party'];
  t.store.messages.upsertMessages(bodies.map((body, i) => ({ chatId: CHAT, keyId: `K${i}`, fromMe: false, timestamp: T + i * 1000, type: 'text', body })));
});
afterEach(() => t.cleanup());

const ids = (q: string) => t.store.messages.search(q).hits.map((h) => h.message.id.split(':')[1]).sort();

it('words are ANDed; OR makes alternatives; -word and -"phrase" exclude', () => {
  expect(ids('pizza tonight')).toEqual(['K0']);
  expect(ids('pizza OR sushi')).toEqual(['K0', 'K1', 'K2', 'K5']);
  expect(ids('pizza tonight OR pasta')).toEqual(['K0', 'K3']);
  expect(ids('pizza -cancelled')).toEqual(['K0', 'K5']);
  expect(ids('pizza -"pizza party"')).toEqual(['K0', 'K2']);
  expect(ids('tonight OR pasta -sushi')).toEqual(['K0', 'K3']);
  // Only exclusions: nothing positive to look for.
  expect(ids('-pizza')).toEqual([]);
  // Lower-case "or" and a stray OR are plain words / ignored, never FTS5 syntax.
  expect(ids('or word')).toEqual(['K4']);
  expect(ids('OR pasta')).toEqual(['K3']);
  // Highlights cover every alternative.
  expect(t.store.messages.search('pizza OR sushi').hits.map((h) => h.snippet).sort()).toContain('**sushi** tonight');
});

it('list filters by the same syntax', () => {
  expect(t.store.messages.list(CHAT, { query: 'pizza -cancelled' }).items.map((m) => m.body)).toEqual(['pizza tonight', 'a "quoted" pizza party']);
});
