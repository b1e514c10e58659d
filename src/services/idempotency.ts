/**
 * "At most once per idempotency key" for every write (send_message, send_media, logout, and the actions
 * to come): the key is claimed in SQLite before acting, so a retry, a concurrent duplicate or a call
 * after a restart never acts twice (SPEC §3 "Send safety"). Expired keys are pruned in the background.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import { toAppError } from './errors.js';

/** Stable JSON (sorted keys, undefined dropped) so equal parameters always fingerprint alike. */
function stable(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
    .join(',')}}`;
}

export function fingerprint(tool: string, params: Record<string, unknown>): string {
  return createHash('sha256').update(`${tool}\n${stable(params)}`).digest('hex');
}

const PRUNE_EVERY_MS = 10 * 60_000;

export class Idempotency {
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(private readonly deps: { store: Store; logger: Logger; ttlMs: number }) {
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  close(): void {
    clearInterval(this.pruneTimer);
  }

  private prune(): void {
    try {
      this.deps.store.idempotency.pruneExpired();
    } catch (err) {
      this.deps.logger.warn({ err }, 'pruning idempotency keys failed');
    }
  }

  /**
   * Runs `action` at most once per key: same key + same tool and parameters → the stored result with
   * `deduplicated: true`; other parameters or another tool → an error; a concurrent duplicate waits for
   * the first; an attempt that died mid-way (crash) → an "unknown outcome" error that says how to check.
   * Without a key, `action` simply runs.
   */
  async once<T extends object>(tool: string, key: string | undefined, params: Record<string, unknown>, action: () => Promise<T>): Promise<T & { deduplicated: boolean }> {
    const fresh = (r: T) => ({ ...r, deduplicated: (r as { deduplicated?: boolean }).deduplicated ?? false });
    if (key === undefined) return fresh(await action());
    const idem = this.deps.store.idempotency;
    const claim = idem.claim(key, tool, fingerprint(tool, params), { ttlMs: this.deps.ttlMs });
    switch (claim.status) {
      case 'claimed':
        try {
          const r = await action();
          idem.complete(key, r);
          return fresh(r);
        } catch (err) {
          idem.release(key, err);
          throw err;
        }
      case 'done':
        return { ...(claim.result as T), deduplicated: true };
      case 'in_progress':
        try {
          return { ...((await claim.wait()) as T), deduplicated: true };
        } catch (err) {
          throw new AppError(
            'upstream_failed',
            `The concurrent call with idempotency key "${key}" failed (${toAppError(err).message})`,
            'Retry with the same key: nothing was sent',
            { retryable: true },
          );
        }
      case 'conflict':
        throw new AppError('idempotency_conflict', `Idempotency key "${key}" cannot be reused here: ${claim.reason}`, 'Use a new idempotency_key for a different request');
      case 'stale':
        throw new AppError(
          'idempotency_unknown_outcome',
          `An earlier attempt with idempotency key "${key}" (started ${new Date(claim.since).toISOString()}) stopped before it finished; it may or may not have been sent`,
          'Check the chat with list_messages; if the message is missing, send it again with a new idempotency_key',
        );
    }
  }
}
