/**
 * The send path every action write shares (like send_message): the idempotency guard, the open-state
 * check inside it (so a stored result is returned even while offline), and a per-call timeout whose
 * unexpected failures become a retryable upstream error.
 */
import { AppError, withTimeout } from '../errors.js';
import { requireOpen, type ServiceDeps } from './context.js';
import { toAppError } from './errors.js';
import type { Idempotency } from './idempotency.js';

export class LiveWrite {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly idempotency: Idempotency,
  ) {}

  /** At most once per idempotency key; the result carries `deduplicated` and the key. */
  async once<T extends object>(tool: string, key: string | undefined, params: Record<string, unknown>, act: () => Promise<T>) {
    const r = await this.idempotency.once(tool, key, params, () => {
      requireOpen(this.deps.runtime);
      return act();
    });
    return { ...r, idempotencyKey: key ?? null };
  }

  /** One live call with the per-call timeout (the send timeout unless given). */
  async call<T>(what: string, fn: () => Promise<T>, timeoutMs = this.deps.sendTimeoutMs ?? 30_000): Promise<T> {
    try {
      return await withTimeout(fn(), timeoutMs, `WhatsApp (${what})`);
    } catch (err) {
      const e = toAppError(err, () => this.deps.runtime.getStatus());
      if (e.code !== 'internal') throw e;
      this.deps.logger.warn({ err, what }, 'WhatsApp action failed');
      throw new AppError('upstream_failed', `WhatsApp did not accept the ${what}`, 'Retry in a moment; check check_auth_status if it keeps failing', {
        retryable: true,
        cause: err,
      });
    }
  }
}
