/**
 * Idempotency keys for send tools (SPEC §3 "Send safety").
 *
 * Protocol for a tool call carrying `idempotency_key`:
 * ```ts
 * const c = store.idempotency.claim(key, 'send_message', fingerprint, { ttlMs });
 * switch (c.status) {
 *   case 'claimed':     try { const r = await send(); store.idempotency.complete(key, r); return r; }
 *                       catch (e) { store.idempotency.release(key); throw e; }
 *   case 'done':        return { ...c.result, deduplicated: true };
 *   case 'in_progress': return { ...(await c.wait()), deduplicated: true }; // concurrent call, same process
 *   case 'conflict':    error: same key used with other parameters or another tool
 *   case 'stale':       error: an earlier attempt stopped mid-send (crash); outcome unknown
 * }
 * ```
 * The claim is a single INSERT, so two concurrent calls with the same key (even from two processes)
 * cannot both get `claimed`. Finished results survive restarts until `expiresAt`.
 */
import { randomUUID } from 'node:crypto';

import type Database from 'better-sqlite3';

import type { IdempotencyRecord } from '../types.js';
import type { StoreContext } from './identity.js';

export type ClaimOutcome =
  | { status: 'claimed' }
  | { status: 'done'; result: unknown; record: IdempotencyRecord }
  | { status: 'in_progress'; wait: () => Promise<unknown> }
  | { status: 'conflict'; reason: string }
  | { status: 'stale'; since: number };

interface KeyRow {
  key: string;
  tool: string;
  fingerprint: string;
  state: 'pending' | 'done';
  owner: string;
  result: string | null;
  created_at: number;
  expires_at: number;
}

interface Waiter {
  promise: Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class IdempotencyError extends Error {
  readonly code = 'IDEMPOTENCY_KEY_RELEASED';
}

export class IdempotencyRepo {
  /** Identifies this process's claims; a pending row with another owner is from a dead or other process. */
  private readonly owner = randomUUID();
  private readonly waiters = new Map<string, Waiter>();
  private readonly insertStmt: Database.Statement<unknown[]>;
  private readonly getStmt: Database.Statement<[string], KeyRow>;
  private readonly deleteStmt: Database.Statement<[string]>;
  private readonly completeStmt: Database.Statement<[string, string, string]>;
  private readonly pruneStmt: Database.Statement<[number]>;

  constructor(private readonly ctx: StoreContext) {
    const db = ctx.db;
    this.insertStmt = db.prepare(
      `INSERT INTO idempotency_keys (key, tool, fingerprint, state, owner, result, created_at, expires_at)
       VALUES (?, ?, ?, 'pending', ?, NULL, ?, ?) ON CONFLICT (key) DO NOTHING`,
    );
    this.getStmt = db.prepare('SELECT * FROM idempotency_keys WHERE key = ?');
    this.deleteStmt = db.prepare('DELETE FROM idempotency_keys WHERE key = ?');
    this.completeStmt = db.prepare(`UPDATE idempotency_keys SET state = 'done', result = ? WHERE key = ? AND owner = ?`);
    this.pruneStmt = db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= ?');
  }

  claim(key: string, tool: string, fingerprint: string, opts: { ttlMs: number; now?: number }): ClaimOutcome {
    const now = opts.now ?? this.ctx.now();
    return this.ctx.db.transaction((): ClaimOutcome => {
      let row = this.getStmt.get(key);
      if (row && row.expires_at <= now && row.state === 'done') {
        this.deleteStmt.run(key);
        row = undefined;
      }
      if (!row) {
        this.insertStmt.run(key, tool, fingerprint, this.owner, now, now + Math.max(0, opts.ttlMs));
        let resolve!: (v: unknown) => void;
        let reject!: (e: unknown) => void;
        const promise = new Promise<unknown>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        promise.catch(() => undefined); // nobody may be waiting
        this.waiters.set(key, { promise, resolve, reject });
        return { status: 'claimed' };
      }
      if (row.tool !== tool) return { status: 'conflict', reason: `idempotency key already used by tool ${row.tool}` };
      if (row.fingerprint !== fingerprint) return { status: 'conflict', reason: 'idempotency key already used with different parameters' };
      if (row.state === 'done') return { status: 'done', result: parseResult(row.result), record: toRecord(row) };
      const waiter = row.owner === this.owner ? this.waiters.get(key) : undefined;
      if (waiter) return { status: 'in_progress', wait: () => waiter.promise };
      return { status: 'stale', since: row.created_at };
    }).immediate();
  }

  /** Store the result of a claimed key; concurrent `in_progress` callers receive it. */
  complete(key: string, result: unknown): void {
    this.completeStmt.run(JSON.stringify(result ?? null), key, this.owner);
    const w = this.waiters.get(key);
    this.waiters.delete(key);
    w?.resolve(result);
  }

  /** Forget a claimed key after a failed attempt so a retry can run; waiters get the error. */
  release(key: string, error?: unknown): void {
    const row = this.getStmt.get(key);
    if (row && row.owner === this.owner && row.state === 'pending') this.deleteStmt.run(key);
    const w = this.waiters.get(key);
    this.waiters.delete(key);
    w?.reject(error ?? new IdempotencyError(`attempt for idempotency key ${key} failed`));
  }

  get(key: string): IdempotencyRecord | null {
    const row = this.getStmt.get(key);
    return row ? toRecord(row) : null;
  }

  /** Delete expired keys (pending ones too: their process is long gone). Returns how many. */
  pruneExpired(now: number = this.ctx.now()): number {
    return this.pruneStmt.run(now).changes;
  }
}

function parseResult(s: string | null): unknown {
  return s === null ? null : (JSON.parse(s) as unknown);
}

function toRecord(r: KeyRow): IdempotencyRecord {
  return {
    key: r.key,
    tool: r.tool,
    fingerprint: r.fingerprint,
    result: parseResult(r.result),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}
