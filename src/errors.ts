/**
 * The one error taxonomy (DESIGN §3b). Every failure a caller should understand is an {@link AppError}:
 * a machine-readable `code`, the HTTP status it maps to, a human `message`, the `nextStep` to take, and
 * whether (and when) retrying may help. The Express error handler (src/http/errors.ts) and the MCP tool
 * result (src/mcp/tools/result.ts) both render it; neither invents codes of its own.
 *
 * This module sits at the bottom of the layers: it imports nothing of ours, so every layer may throw it.
 */

/** Every code, with the HTTP status it is rendered with. Codes are part of the HTTP and MCP contract. */
export const ERROR_STATUS = {
  // The request itself is wrong: fix it, do not retry as is.
  invalid_input: 400,
  bad_request: 400,
  invalid_json: 400,
  invalid_setting: 400,
  bad_name: 400,
  bad_base64: 400,
  path_refused: 400,
  url_refused: 400,
  no_media: 400,
  too_many_files: 400,
  unauthorized: 401,
  csrf: 403,
  host_not_allowed: 403,
  origin_not_allowed: 403,
  bad_signature: 403,
  uploads_disabled: 403,
  forbidden: 403,
  /** The human asked to approve a write said no (send safety). */
  declined: 403,
  not_found: 404,
  method_not_allowed: 405,
  // The request is fine but the current state refuses it.
  not_connected: 409,
  wrong_state: 409,
  idempotency_conflict: 409,
  idempotency_unknown_outcome: 409,
  too_large: 413,
  unsupported_encoding: 415,
  unsupported_media_type: 415,
  conversion_failed: 422,
  rate_limited: 429,
  // Our side or WhatsApp's side failed.
  internal: 500,
  ffmpeg_missing: 501,
  upstream_failed: 502,
  fetch_failed: 502,
  unavailable: 503,
  timeout: 504,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface AppErrorOptions {
  /** True when the same call may succeed later without changes. */
  retryable?: boolean;
  /** Suggested wait before retrying (ms). */
  retryAfterMs?: number;
  /** Overrides the status of the code (rare: e.g. a 4xx passed through from a library). */
  httpStatus?: number;
  /** Extra machine-readable data for the HTTP body (never secrets). */
  details?: unknown;
  cause?: unknown;
}

export class AppError extends Error {
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly details?: unknown;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** What the caller should do next, phrased as an instruction ('' when the message says it all). */
    readonly nextStep = '',
    opts: AppErrorOptions = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.httpStatus = opts.httpStatus ?? ERROR_STATUS[code];
    this.retryable = opts.retryable ?? false;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    if (opts.details !== undefined) this.details = opts.details;
  }

  /** One line for humans and agents: what happened, then what to do. */
  describe(): string {
    return this.nextStep ? `${this.message}. ${this.nextStep}` : this.message;
  }

  toJSON(): { code: ErrorCode; message: string; nextStep: string; retryable: boolean; retryAfterMs?: number } {
    const out: ReturnType<AppError['toJSON']> = { code: this.code, message: this.message, nextStep: this.nextStep, retryable: this.retryable };
    if (this.retryAfterMs !== undefined) out.retryAfterMs = this.retryAfterMs;
    return out;
  }
}

export const invalidInput = (message: string, nextStep = '') => new AppError('invalid_input', message, nextStep);
export const notFound = (message: string, nextStep = '') => new AppError('not_found', message, nextStep);
export const wrongState = (message: string, nextStep = '', details?: unknown) => new AppError('wrong_state', message, nextStep, { details });

/** The generic answer for anything unexpected: no stack, no internals (those go to the log). */
export const internalError = (cause: unknown) =>
  new AppError('internal', 'Internal error while handling the request', 'Retry once; if it keeps failing, check the server logs', {
    retryable: true,
    cause,
  });

const CLIENT_CODES: Record<number, ErrorCode> = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 413: 'too_large', 415: 'unsupported_media_type' };

/**
 * Errors thrown by libraries below us that already say "the client is at fault": body-parser
 * (`type`, `status`), Express' router (a `URIError` with status 400 for bad percent-encoding). They keep
 * their 4xx status; everything else becomes {@link internalError}.
 */
export function fromLibraryError(err: unknown): AppError | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as { type?: string; status?: unknown; statusCode?: unknown; message?: unknown };
  switch (e.type) {
    case 'entity.parse.failed':
      return new AppError('invalid_json', 'The request body is not valid JSON', 'Send a JSON body with Content-Type: application/json', { cause: err });
    case 'entity.too.large':
      return new AppError('too_large', 'The request body is too large', '', { cause: err });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_encoding', typeof e.message === 'string' ? e.message : 'Unsupported encoding', '', { cause: err });
  }
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : null;
  if (status !== null && status >= 400 && status < 500) {
    const message = err instanceof URIError ? 'The URL contains invalid percent-encoding' : typeof e.message === 'string' ? e.message : 'Bad request';
    return new AppError(CLIENT_CODES[status] ?? 'bad_request', message, '', { httpStatus: status, cause: err });
  }
  return null;
}

/** Rejects with a retryable `timeout` AppError when `p` does not settle within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppError('timeout', `${what} did not answer within ${Math.max(1, Math.round(ms / 1000))} s`, 'Retry in a moment', { retryable: true })),
      ms,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
