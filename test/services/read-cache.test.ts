/** ReadCache (issue #17): kept for one generation, never inside a transaction, within its budget, frozen. */
import { expect, it } from 'vitest';
import { ReadCache } from '../../src/services/read-cache.js';

function counted(generation: () => number | null, budget: number) {
  const loads: string[] = [];
  const cache = new ReadCache<{ key: string; items: number[] }>(generation, budget, (v) => v.items.length);
  const read = (key: string, n = 1) =>
    cache.get(key, () => {
      loads.push(key);
      return { key, items: Array.from({ length: n }, (_, i) => i) };
    });
  return { loads, read };
}

it('answers a repeated read from memory until the generation moves', () => {
  let gen = 1;
  const { loads, read } = counted(() => gen, 100);
  const a = read('a');
  expect(read('a')).toBe(a);
  read('b');
  expect(loads).toEqual(['a', 'b']);
  gen = 2;
  expect(read('a')).not.toBe(a);
  expect(loads).toEqual(['a', 'b', 'a']);
});

it('keeps nothing while there is no generation (inside a transaction)', () => {
  let gen: number | null = null;
  const { loads, read } = counted(() => gen, 100);
  read('a');
  read('a');
  expect(loads).toEqual(['a', 'a']);
  gen = 1;
  read('a');
  read('a');
  expect(loads).toEqual(['a', 'a', 'a']);
});

it('stays within its budget, dropping the oldest read first; a read heavier than the budget is not kept', () => {
  const { loads, read } = counted(() => 1, 10);
  read('a', 4);
  read('b', 4);
  read('c', 4); // 12 > 10: a goes
  read('b', 4);
  read('c', 4);
  expect(loads).toEqual(['a', 'b', 'c']);
  read('a', 4); // back in; b (now the oldest) goes
  read('c', 4);
  read('b', 4);
  expect(loads).toEqual(['a', 'b', 'c', 'a', 'b']);
  read('huge', 11);
  read('huge', 11);
  expect(loads.filter((k) => k === 'huge')).toHaveLength(2);
});

it('freezes what it keeps, deeply', () => {
  const { read } = counted(() => 1, 10);
  const v = read('a', 2);
  expect(() => v.items.push(3)).toThrow(TypeError);
  expect(() => Object.assign(v, { key: 'b' })).toThrow(TypeError);
});
