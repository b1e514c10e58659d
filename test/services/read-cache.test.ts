/** ReadCache (issue #17): kept for one generation, never inside a transaction, within its byte budget, frozen. */
import { expect, it } from 'vitest';
import { ReadCache } from '../../src/services/read-cache.js';

const KB = 1024;

/** A cache whose reads load `{key, text}` with a text of about `kb` KB (2 bytes a char), counting loads. */
function counted(generation: () => number | null, budgetBytes: number) {
  const loads: string[] = [];
  const cache = new ReadCache<{ key: string; text: string }>(generation, budgetBytes);
  const read = (key: string, kb = 1) =>
    cache.get(key, () => {
      loads.push(key);
      return { key, text: 'x'.repeat((kb * KB) / 2) };
    });
  return { loads, read };
}

it('answers a repeated read from memory until the generation moves', () => {
  let gen = 1;
  const { loads, read } = counted(() => gen, 100 * KB);
  const a = read('a');
  expect(read('a')).toBe(a);
  read('b');
  expect(loads).toEqual(['a', 'b']);
  gen = 2;
  expect(read('a')).not.toBe(a);
  expect(loads).toEqual(['a', 'b', 'a']);
});

it('keeps nothing while there is no generation (inside a transaction)', () => {
  let gen: number | null = 1;
  const { loads, read } = counted(() => gen, 100 * KB);
  read('a');
  gen = null;
  read('a');
  read('a');
  expect(loads).toEqual(['a', 'a', 'a']);
  gen = 2;
  read('a');
  read('a');
  expect(loads).toEqual(['a', 'a', 'a', 'a']);
});

it('stays within its byte budget, dropping the least recently used read first; a larger read is not kept', () => {
  const { loads, read } = counted(() => 1, 11 * KB);
  read('a', 4);
  read('b', 4);
  read('a', 4); // a used last: b is now the least recently used
  read('c', 4); // 12 KB > 11 KB: b goes
  read('a', 4);
  read('c', 4);
  expect(loads).toEqual(['a', 'b', 'c']);
  read('b', 4); // back in; a (used before c) goes
  read('c', 4);
  read('a', 4);
  expect(loads).toEqual(['a', 'b', 'c', 'b', 'a']);
  read('huge', 12);
  read('huge', 12);
  expect(loads.filter((k) => k === 'huge')).toHaveLength(2);
});

it('freezes what it returns, deeply, kept or not', () => {
  let gen: number | null = 1;
  const { read } = counted(() => gen, 100 * KB);
  const v = read('a');
  expect(() => Object.assign(v, { key: 'b' })).toThrow(TypeError);
  gen = null;
  const w = read('a');
  expect(() => Object.assign(w, { key: 'b' })).toThrow(TypeError);
});
