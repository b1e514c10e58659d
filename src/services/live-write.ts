/**
 * The send path every action write shares (like send_message): the idempotency guard, the open-state
 * check inside it (so a stored result is returned even while offline), and a per-call timeout whose
 * unexpected failures become a retryable upstream error.
 */
import { AppError, invalidInput, withTimeout } from '../errors.js';
import { jidKind, jidUser } from '../store/index.js';
import { requireOpen, type ServiceDeps } from './context.js';
import { toAppError } from './errors.js';
import type { Idempotency } from './idempotency.js';

/** How long a usync answer about a number is trusted. */
const ON_WHATSAPP_TTL_MS = 24 * 3600_000;

export class LiveWrite {
  /** phone digits → whether it has WhatsApp, and when that was asked. */
  private readonly onWhatsApp = new Map<string, { exists: boolean; at: number }>();

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

  /**
   * Refuses a phone number without a WhatsApp account before the first message to it: asked once with
   * usync and cached; numbers with a stored chat, LIDs and groups are known to exist.
   */
  async requireOnWhatsApp(jid: string): Promise<void> {
    if (jidKind(jid) !== 'pn' || this.deps.store.chats.findId(jid) !== undefined) return;
    const phone = jidUser(jid);
    const now = Date.now();
    let known = this.onWhatsApp.get(phone);
    if (!known || now - known.at > ON_WHATSAPP_TTL_MS) {
      const [answer] = await this.call('number check', () => this.deps.gateway.onWhatsApp([phone]), this.deps.liveTimeoutMs ?? 10_000);
      known = { exists: Boolean(answer?.exists), at: now };
      this.onWhatsApp.set(phone, known);
    }
    if (!known.exists) throw invalidInput(`+${phone} is not on WhatsApp`, 'Check the number (check_whatsapp_numbers); nothing was sent');
  }
}
