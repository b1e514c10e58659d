import { afterEach, expect, it } from 'vitest';
import { routeConsoleToLogger, summarizeArg } from '../../src/util/console-capture.js';
import { memoryLogger } from '../helpers/app.js';

let restore: (() => void) | undefined;
afterEach(() => restore?.());

it('reduces every console argument to a data-free summary', () => {
  class SessionEntry {
    currentRatchet = { rootKey: Buffer.from('secret-root-key'), ephemeralKeyPair: { privKey: Buffer.alloc(32, 7) } };
  }
  expect(summarizeArg(new SessionEntry())).toBe('[SessionEntry]');
  expect(summarizeArg(Buffer.alloc(33))).toBe('[Buffer 33 bytes]');
  expect(summarizeArg(new Uint8Array(4))).toBe('[Uint8Array 4 bytes]');
  expect(summarizeArg([1, 2, 3])).toBe('[Array(3)]');
  expect(summarizeArg(new Error('bad mac'))).toBe('Error: bad mac');
  expect(summarizeArg('Closing session:')).toBe('Closing session:');
});

it('routes console output to the logger at debug and prints nothing itself', () => {
  const { logger, lines } = memoryLogger('debug');
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    restore = routeConsoleToLogger(logger);
    console.info('Closing session:', { privKey: Buffer.alloc(32, 1) });
    console.error('Session error:', new Error('boom'));
  } finally {
    process.stdout.write = write;
  }
  expect(written).toEqual([]);
  expect(lines.map((l) => [l.level, l.console, l.msg])).toEqual([
    [20, 'info', 'Closing session: [Object]'],
    [20, 'error', 'Session error: Error: boom'],
  ]);
});
