/**
 * Service errors: a machine-readable code, a human message and the next step to take. Tools turn them
 * into `isError` results, the HTTP API into `{error, code}` with `httpStatus`. Anything else that escapes
 * a service is reported as `internal` without its stack (the stack goes to the log only).
 */
import type { LifecycleStatus } from '../../machines/health.js';
import { InvalidCursorError } from '../store/index.js';
import { NotConnectedError } from '../whatsapp/gateway.js';

export type ServiceErrorCode =
  | 'not_connected'
  | 'not_found'
  | 'invalid_input'
  | 'rejected'
  | 'idempotency_conflict'
  | 'idempotency_unknown_outcome'
  | 'upstream_failed'
  | 'timeout'
  | 'internal';

const HTTP_STATUS: Record<ServiceErrorCode, number> = {
  not_connected: 409,
  not_found: 404,
  invalid_input: 400,
  rejected: 409,
  idempotency_conflict: 409,
  idempotency_unknown_outcome: 409,
  upstream_failed: 502,
  timeout: 504,
  internal: 500,
};

export interface ServiceErrorOptions {
  /** True when the same call may succeed later without changes. */
  retryable?: boolean;
  /** Suggested wait before retrying (ms). */
  retryAfterMs?: number;
  cause?: unknown;
}

export class ServiceError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    /** What the caller should do next, phrased as an instruction. */
    readonly nextStep: string,
    opts: ServiceErrorOptions = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ServiceError';
    this.retryable = opts.retryable ?? false;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  /** One line for humans and agents: what happened, then what to do. */
  describe(): string {
    return `${this.message}. ${this.nextStep}`;
  }

  toJSON(): { code: ServiceErrorCode; message: string; nextStep: string; retryable: boolean; retryAfterMs?: number } {
    const out: ReturnType<ServiceError['toJSON']> = { code: this.code, message: this.message, nextStep: this.nextStep, retryable: this.retryable };
    if (this.retryAfterMs !== undefined) out.retryAfterMs = this.retryAfterMs;
    return out;
  }
}

export const notFound = (message: string, nextStep: string) => new ServiceError('not_found', message, nextStep);
export const invalidInput = (message: string, nextStep: string) => new ServiceError('invalid_input', message, nextStep);

/** The soonest future lifecycle deadline at which the connection may be usable again (ms from now). */
export function retryInMs(status: LifecycleStatus, now = Date.now()): number | null {
  const d = status.deadlines;
  const candidates = [d.backoffUntil, d.restartAt, d.stuckRetryAt, d.watchdogAt, d.resyncDeadline]
    .filter((t): t is number => t !== null && t > now)
    .map((t) => t - now);
  return candidates.length > 0 ? Math.min(...candidates) : null;
}

/** "WhatsApp is not connected (state: restarting, retry in ~12 s)" plus the next step for that state. */
export function notConnected(status: LifecycleStatus, now = Date.now()): ServiceError {
  const wait = retryInMs(status, now);
  const retry = wait === null ? '' : `, retry in ~${Math.max(1, Math.ceil(wait / 1000))} s`;
  const message = `WhatsApp is not connected (state: ${status.state}${retry})`;
  let next: string;
  let retryable = true;
  switch (status.state) {
    case 'awaiting-qr':
      next = 'The device is not linked: call get_qr_code and scan the QR with the phone (WhatsApp → Linked devices), then retry';
      retryable = false;
      break;
    case 'stuck':
      next = `The connection needs an operator (${status.reason ?? 'stuck'}): restart it from the admin UI (POST /api/restart-wa) or log out and re-link, then retry`;
      retryable = false;
      break;
    case 'soft-resync':
      next = 'The connection is resynchronising; retry in a few seconds (check_auth_status shows when it is open)';
      break;
    default:
      next =
        wait === null
          ? 'The connection is being re-established; retry shortly (check_auth_status shows when it is open)'
          : `Retry after ~${Math.max(1, Math.ceil(wait / 1000))} s (check_auth_status shows when it is open)`;
  }
  return new ServiceError('not_connected', message, next, { retryable, retryAfterMs: wait ?? (retryable ? 5_000 : undefined) });
}

/** Any thrown value as a ServiceError; unknown errors become a generic `internal` error (no stack). */
export function toServiceError(err: unknown, status?: () => LifecycleStatus): ServiceError {
  if (err instanceof ServiceError) return err;
  if (err instanceof NotConnectedError) {
    if (status) return notConnected(status());
    return new ServiceError('not_connected', 'WhatsApp is not connected', 'Retry in a few seconds (check_auth_status shows the state)', {
      retryable: true,
      retryAfterMs: 5_000,
    });
  }
  if (err instanceof InvalidCursorError) {
    return invalidInput('Invalid cursor', 'Pass the nextCursor value from the previous page unchanged, or omit it to start over');
  }
  return new ServiceError('internal', 'Internal error while handling the request', 'Retry once; if it keeps failing, check the server logs', {
    retryable: true,
    cause: err,
  });
}

/** Rejects with a `timeout` ServiceError when `p` does not settle within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ServiceError('timeout', `${what} did not answer within ${Math.round(ms / 1000)} s`, 'Retry in a moment', { retryable: true })),
      ms,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
