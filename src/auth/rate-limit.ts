/**
 * Failed-credential limiter, one per process, shared by every way in (admin login, admin bearer on /api,
 * the MCP bearer, the upload token): after `maxFailures` wrong credentials from one address inside
 * `windowMs`, further *wrong* attempts from it are answered 429 until the window ends. A correct
 * credential is always checked first and never refused, so a guessing attacker cannot lock the owner out.
 * Addresses come from the socket unless TRUST_PROXY says which proxy's X-Forwarded-For to believe.
 */
export interface FailureLimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  /** Remembered addresses at most (oldest forgotten first), so a spray of addresses cannot grow memory. */
  maxAddresses?: number;
  now?: () => number;
}

export class FailureLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();
  private readonly max: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  /** When the newest failure's window ends: after that, nothing on record counts any more. */
  private lastResetAt = 0;

  constructor(opts: FailureLimiterOptions = {}) {
    this.max = opts.maxFailures ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxAddresses = opts.maxAddresses ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** ms until `address` may fail again, or 0 when it is not limited. */
  retryAfterMs(address: string): number {
    const f = this.failures.get(address);
    const now = this.now();
    if (!f || f.resetAt <= now || f.count < this.max) return 0;
    return f.resetAt - now;
  }

  /** Records a wrong credential; returns the wait (ms) when the address was already over the limit, else 0. */
  fail(address: string): number {
    const wait = this.retryAfterMs(address);
    const now = this.now();
    let f = this.failures.get(address);
    if (!f || f.resetAt <= now) {
      f = { count: 0, resetAt: now + this.windowMs };
      this.lastResetAt = f.resetAt;
      this.failures.delete(address);
      this.failures.set(address, f);
      if (this.failures.size > this.maxAddresses) this.failures.delete(this.failures.keys().next().value as string);
    }
    f.count++;
    return wait;
  }

  /** True when no address has a failure that still counts (then a success has nothing to reset). */
  get clean(): boolean {
    if (this.failures.size > 0 && this.now() >= this.lastResetAt) this.failures.clear();
    return this.failures.size === 0;
  }

  succeed(address: string): void {
    this.failures.delete(address);
  }
}
