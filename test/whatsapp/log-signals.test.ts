import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { detectAppStateFailure, signallingLogger, type AppStateSignal } from '../../src/whatsapp/log-signals.js';

describe('detectAppStateFailure', () => {
  it('recognises rc14 structured terminal lines by their fields', () => {
    const data = { name: 'regular_high', attempt: 2, version: 7, errorType: 'Error' };
    expect(detectAppStateFailure('warn', data, 'regular_high blocked on missing key from v7, parking after 2 attempts')).toEqual({
      collection: 'regular_high',
      detail: 'regular_high blocked on missing key from v7, parking after 2 attempts',
    });
    expect(detectAppStateFailure('warn', { ...data, name: 'critical_block' }, 'failed to sync critical_block from v7, giving up')?.collection).toBe(
      'critical_block',
    );
  });

  it('ignores Baileys healing itself (info-level retries) and unrelated warnings', () => {
    const data = { name: 'regular_high', attempt: 1, version: 7 };
    expect(detectAppStateFailure('info', data, 'regular_high blocked on missing key from v7, retrying with snapshot')).toBeNull();
    expect(detectAppStateFailure('info', data, 'failed to sync regular_high from v7, forcing snapshot retry')).toBeNull();
    expect(detectAppStateFailure('warn', {}, 'timed out waiting for message')).toBeNull();
    expect(detectAppStateFailure('warn', { name: 'not_a_collection', attempt: 2 }, 'giving up on something else')).toBeNull();
  });

  it('falls back to the wording when the structure is missing', () => {
    expect(detectAppStateFailure('error', { err: new Error('failed to find key "AAA=" to decode mutation') }, 'processing failed')).toEqual({
      collection: 'all',
      detail: 'processing failed',
    });
    expect(detectAppStateFailure('warn', undefined, 'regular_low blocked on missing key from v3, parking after 2 attempts')?.collection).toBe('regular_low');
    expect(detectAppStateFailure('warn', 'failed to sync regular from v1, giving up', undefined)?.collection).toBe('regular');
  });
});

describe('signallingLogger', () => {
  it('passes every line through and reports failures, children included', () => {
    const lines: string[] = [];
    const base = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    const signals: AppStateSignal[] = [];
    const log = signallingLogger(base, (s) => signals.push(s));
    log.info({ a: 1 }, 'hello');
    log.child({ class: 'sync' }).warn({ name: 'regular', attempt: 2 }, 'regular blocked on missing key from v1, parking after 2 attempts');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"class":"sync"');
    expect(signals).toEqual([{ collection: 'regular', detail: 'regular blocked on missing key from v1, parking after 2 attempts' }]);
    expect(log.level).toBe('info');
  });
});
