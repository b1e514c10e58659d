/**
 * The one place that talks HTTP. Cookie session + CSRF header on state-changing calls; every failure
 * becomes an {@link ApiError} carrying the server's `{error, code, details}`.
 */

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
  }

  /** The endpoint does not exist on this server (yet): show "not available", not an error. */
  get notAvailable(): boolean {
    return this.status === 404 && (/^no route for /.test(this.message) || this.code === 'http_404');
  }
}

let csrfToken = '';
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when any call answers 401 (the session expired or was revoked elsewhere). */
export function onSessionLost(handler: () => void): void {
  onUnauthorized = handler;
}

async function errorFrom(res: Response): Promise<ApiError> {
  let body: { error?: unknown; code?: unknown; details?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON (a proxy page, an empty body): fall back to the status line
  }
  const message = typeof body.error === 'string' ? body.error : `${res.status} ${res.statusText || 'request failed'}`;
  const code = typeof body.code === 'string' ? body.code : `http_${res.status}`;
  return new ApiError(res.status, code, message, body.details);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  /** Do not treat a 401 as "session lost" (the login call itself). */
  quiet401?: boolean;
  accept?: string;
  /** Give up after this long (a reachability probe must not hang on a half-open connection). */
  timeoutMs?: number;
}

/** Raw fetch with auth conventions; the caller reads the body. Throws ApiError on a non-2xx answer. */
export async function request(path: string, opts: RequestOptions = {}): Promise<Response> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    const signal = opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined;
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store', signal });
  } catch (err) {
    throw new ApiError(0, 'network', `cannot reach the server (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!res.ok) {
    const err = await errorFrom(res);
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw err;
  }
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await request(path);
  return (await res.json()) as T;
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  const res = await request(path, { method: 'POST', body });
  if (res.status === 204) return {} as T;
  return (await res.json()) as T;
}

export interface SessionInfo {
  authenticated: boolean;
  csrfToken?: string;
  authDisabled?: boolean;
}

export async function getSession(timeoutMs?: number): Promise<SessionInfo> {
  const res = await request('/api/session', { timeoutMs });
  const s = (await res.json()) as SessionInfo;
  if (s.authenticated && typeof s.csrfToken === 'string') setCsrfToken(s.csrfToken);
  return s;
}

export async function login(token: string): Promise<void> {
  const res = await request('/api/session', { method: 'POST', body: { token }, quiet401: true });
  const body = (await res.json()) as SessionInfo;
  setCsrfToken(body.csrfToken ?? '');
}

export async function logoutSession(): Promise<void> {
  try {
    await request('/api/session', { method: 'DELETE', quiet401: true });
  } finally {
    setCsrfToken('');
  }
}

/** A readable one-liner for any error, for banners and inline messages. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return err.message;
    if (err.status === 409) return `Not possible right now: ${err.message}`;
    if (err.status === 429) return `Too many attempts: ${err.message}`;
    if (err.notAvailable) return 'Not available on this server.';
    return err.message.charAt(0).toUpperCase() + err.message.slice(1);
  }
  return err instanceof Error ? err.message : String(err);
}
