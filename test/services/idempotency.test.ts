/** The one "at most once per key" guard (src/services/idempotency.ts) over a real SQLite store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { Idempotency } from '../../src/services/idempotency.js';
import { openStore, type Store } from '../../src/store/index.js';

let dir: string;
let store: Store;
let guard: Idempotency;
const open = () => {
  dir = mkdtempSync(join(tmpdir(), 'wa-idem-'));
  store = openStore(join(dir, 'store.sqlite'));
  guard = new Idempotency({ store, logger: silentLogger(), ttlMs: 60_000 });
};
afterEach(() => {
  guard?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Idempotency.once', () => {
  it('acts once per key and parameters; a repeat returns the stored result marked deduplicated', async () => {
    open();
    let calls = 0;
    const act = async () => ({ n: ++calls });
    expect(await guard.once('send_message', 'k1', { to: 'a', text: 'hi' }, act)).toEqual({ n: 1, deduplicated: false });
    expect(await guard.once('send_message', 'k1', { text: 'hi', to: 'a' }, act)).toEqual({ n: 1, deduplicated: true });
    expect(calls).toBe(1);
    // Without a key the action simply runs.
    expect(await guard.once('send_message', undefined, {}, act)).toEqual({ n: 2, deduplicated: false });
  });

  it('refuses the same key with other parameters or another tool', async () => {
    open();
    await guard.once('send_message', 'k2', { to: 'a' }, async () => ({ ok: true }));
    await expect(guard.once('send_message', 'k2', { to: 'b' }, async () => ({ ok: true }))).rejects.toMatchObject({ code: 'idempotency_conflict' });
    await expect(guard.once('logout', 'k2', { to: 'a' }, async () => ({ ok: true }))).rejects.toMatchObject({ code: 'idempotency_conflict' });
  });

  it('concurrent duplicates wait for the first and share its result', async () => {
    open();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const act = async () => {
      calls++;
      await gate;
      return { id: 'm1' };
    };
    const all = Promise.all([1, 2, 3].map(() => guard.once('send_message', 'k3', { x: 1 }, act)));
    release();
    const results = await all;
    expect(calls).toBe(1);
    expect(results.map((r) => r.deduplicated).sort()).toEqual([false, true, true]);
  });

  it('a failed action releases the key, so a retry with it acts again', async () => {
    open();
    await expect(guard.once('send_message', 'k4', {}, async () => Promise.reject(new AppError('upstream_failed', 'nope')))).rejects.toMatchObject({ code: 'upstream_failed' });
    expect(await guard.once('send_message', 'k4', {}, async () => ({ ok: 1 }))).toEqual({ ok: 1, deduplicated: false });
  });

  it('survives a restart: a completed key answers from the store', async () => {
    open();
    await guard.once('send_message', 'k5', { a: 1 }, async () => ({ id: 'x' }));
    guard.close();
    store.close();
    store = openStore(join(dir, 'store.sqlite'));
    guard = new Idempotency({ store, logger: silentLogger(), ttlMs: 60_000 });
    let called = false;
    expect(
      await guard.once('send_message', 'k5', { a: 1 }, async () => {
        called = true;
        return { id: 'y' };
      }),
    ).toEqual({ id: 'x', deduplicated: true });
    expect(called).toBe(false);
  });
});
