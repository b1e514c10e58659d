import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { tempStore, type TempStore } from './helpers.js';

describe('idempotency keys', () => {
  let t: TempStore;
  const ttlMs = 60_000;
  beforeEach(() => {
    t = tempStore();
  });
  afterEach(() => t.cleanup());

  it('sends once for concurrent calls with the same key, in one process', async () => {
    const s = t.store;
    let sends = 0;
    const call = async () => {
      const c = s.idempotency.claim('k1', 'send_message', 'fp', { ttlMs });
      if (c.status === 'claimed') {
        await new Promise((r) => setTimeout(r, 5));
        sends++;
        const result = { messageId: 'm1' };
        s.idempotency.complete('k1', result);
        return { result, deduplicated: false };
      }
      if (c.status === 'in_progress') return { result: await c.wait(), deduplicated: true };
      if (c.status === 'done') return { result: c.result, deduplicated: true };
      throw new Error(c.status);
    };
    const results = await Promise.all([call(), call(), call()]);
    expect(sends).toBe(1);
    expect(results.map((r) => r.deduplicated)).toEqual([false, true, true]);
    expect(results.every((r) => JSON.stringify(r.result) === '{"messageId":"m1"}')).toBe(true);
  });

  it('returns the stored result after a restart, and rejects other parameters or tools', () => {
    let s = t.store;
    expect(s.idempotency.claim('k', 'send_message', 'fp', { ttlMs, now: 1000 }).status).toBe('claimed');
    s.idempotency.complete('k', { messageId: 'x', timestamp: 5 });
    s = t.reopen();
    const again = s.idempotency.claim('k', 'send_message', 'fp', { ttlMs, now: 2000 });
    expect(again).toMatchObject({ status: 'done', result: { messageId: 'x', timestamp: 5 } });
    expect(s.idempotency.claim('k', 'send_message', 'other', { ttlMs, now: 2000 }).status).toBe('conflict');
    expect(s.idempotency.claim('k', 'send_media', 'fp', { ttlMs, now: 2000 }).status).toBe('conflict');
    expect(s.idempotency.get('k')).toMatchObject({ tool: 'send_message', createdAt: 1000, expiresAt: 61_000 });
  });

  it('lets a failed attempt be retried, and flags attempts cut off by a crash', async () => {
    let s = t.store;
    expect(s.idempotency.claim('k', 'send_message', 'fp', { ttlMs }).status).toBe('claimed');
    const waiter = s.idempotency.claim('k', 'send_message', 'fp', { ttlMs });
    expect(waiter.status).toBe('in_progress');
    s.idempotency.release('k', new Error('send failed'));
    if (waiter.status === 'in_progress') await expect(waiter.wait()).rejects.toThrow('send failed');
    expect(s.idempotency.claim('k', 'send_message', 'fp', { ttlMs }).status).toBe('claimed');
    // the process dies before complete(): the next process sees a stale claim, not a silent resend
    s = t.reopen();
    expect(s.idempotency.claim('k', 'send_message', 'fp', { ttlMs }).status).toBe('stale');
  });

  it('prunes expired keys, after which the key can be reused', () => {
    const s = t.store;
    s.idempotency.claim('old', 'send_message', 'fp', { ttlMs: 10, now: 1000 });
    s.idempotency.complete('old', 1);
    s.idempotency.claim('new', 'send_message', 'fp', { ttlMs: 10_000, now: 1000 });
    s.idempotency.complete('new', 2);
    expect(s.idempotency.pruneExpired(5000)).toBe(1);
    expect(s.idempotency.get('old')).toBeNull();
    expect(s.idempotency.get('new')).not.toBeNull();
    expect(s.idempotency.claim('new', 'send_message', 'changed', { ttlMs: 10, now: 20_000 }).status).toBe('claimed');
  });
});
