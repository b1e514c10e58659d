/**
 * One error taxonomy (src/errors.ts): the Express error handler and the MCP tool result render the same
 * AppError the same way; unknown errors are a generic 500 without internals; a library error that
 * carries a 4xx status keeps it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../src/auth/rate-limit.js';
import { SessionStore } from '../../src/auth/sessions.js';
import { AppError, ERROR_STATUS } from '../../src/errors.js';
import { createExpressApp } from '../../src/http/express.js';
import { silentLogger } from '../../src/logger.js';
import { fail } from '../../src/mcp/tools/result.js';
import { toAppError } from '../../src/services/errors.js';
import { InvalidCursorError } from '../../src/store/index.js';
import { NotConnectedError } from '../../src/whatsapp/gateway.js';
import type { LifecycleStatus } from '../../src/runtime/index.js';

const BACKOFF_STATUS = {
  state: 'connecting',
  since: 0,
  reason: 'closed (428)',
  me: null,
  qr: null,
  lastDisconnect: null,
  deadlines: { graceAt: null, backoffUntil: Date.now() + 12_000, watchdogAt: null, resyncDeadline: null, restartAt: null, stuckRetryAt: null },
  restartBudget: { used: 0, intensity: 5, periodMs: 600_000 },
  syncFailures: 0,
} as unknown as LifecycleStatus;

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(routes: Router): Promise<string> {
  const app = createExpressApp({
    config: { host: '127.0.0.1', auth: { disabled: true, allowedHosts: [] } as never },
    tokens: { admin: null, mcp: null, adminPath: null, mcpPath: null } as never,
    sessions: new SessionStore(),
    limiter: new FailureLimiter(),
    logger: silentLogger(),
    status: () => BACKOFF_STATUS,
    routes: { public: [], raw: [], login: Router(), api: [routes] },
    metrics: (_req, res) => void res.end(),
  });
  server = createServer(app);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('HTTP rendering', () => {
  it('renders an AppError with its status, code, next step and Retry-After', async () => {
    const r = Router();
    r.get('/boom', () => {
      throw new AppError('rate_limited', 'too many attempts', 'Wait a minute', { retryable: true, retryAfterMs: 61_000 });
    });
    const res = await fetch(`${await serve(r)}/api/boom`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('61');
    expect(await res.json()).toEqual({ error: 'too many attempts', code: 'rate_limited', nextStep: 'Wait a minute', retryable: true, retryAfterMs: 61_000 });
  });

  it('turns an unknown error into a generic 500 that leaks nothing', async () => {
    const r = Router();
    r.get('/boom', () => {
      throw new Error('secret internals at /srv/app.ts:12');
    });
    const res = await fetch(`${await serve(r)}/api/boom`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ code: 'internal', retryable: true });
    expect(body).not.toMatch(/secret|srv|\.ts/);
  });

  it('keeps the 4xx of a library error: bad percent-encoding in a path parameter is 400, not 500', async () => {
    const r = Router();
    r.get('/things/:id', (req, res) => void res.json({ id: req.params.id }));
    const res = await fetch(`${await serve(r)}/api/things/%ff`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'bad_request', error: 'The URL contains invalid percent-encoding' });
  });

  it('a gateway "not connected" gets the lifecycle retry hint (same as the MCP side)', async () => {
    const r = Router();
    r.get('/live', () => {
      throw new NotConnectedError();
    });
    const res = await fetch(`${await serve(r)}/api/live`);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: string; code: string; retryAfterMs: number };
    expect(body.code).toBe('not_connected');
    expect(body.error).toMatch(/state: connecting, retry in ~1[12] s/);
  });
});

describe('MCP rendering', () => {
  const deps = { logger: silentLogger(), runtime: { getStatus: () => BACKOFF_STATUS } } as never;

  it('renders the same AppError as an isError result with code and retry hints in _meta', () => {
    const r = fail(deps, 'some_tool', new AppError('rate_limited', 'too many attempts', 'Wait a minute', { retryable: true, retryAfterMs: 61_000 }));
    expect(r).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'too many attempts. Wait a minute' }],
      _meta: { code: 'rate_limited', retryable: true, retryAfterMs: 61_000 },
    });
  });

  it('agrees with HTTP on unknown errors and on "not connected"', () => {
    expect(fail(deps, 't', new Error('secret')).content).toEqual([{ type: 'text', text: expect.not.stringMatching(/secret/) as unknown as string }]);
    const nc = fail(deps, 't', new NotConnectedError());
    expect(nc._meta).toMatchObject({ code: 'not_connected', retryable: true });
    expect((nc.content[0] as { text: string }).text).toMatch(/state: connecting, retry in ~1[12] s/);
  });
});

describe('toAppError', () => {
  it('maps store and library errors to codes with next steps', () => {
    expect(toAppError(new InvalidCursorError())).toMatchObject({ code: 'invalid_input', httpStatus: 400 });
    expect(toAppError({ type: 'entity.parse.failed', status: 400 })).toMatchObject({ code: 'invalid_json', httpStatus: 400 });
    expect(toAppError({ type: 'entity.too.large', status: 413 })).toMatchObject({ code: 'too_large', httpStatus: 413 });
    expect(toAppError({ status: 500, message: 'x' })).toMatchObject({ code: 'internal', httpStatus: 500 });
    expect(toAppError('a string')).toMatchObject({ code: 'internal' });
  });

  it('every code has a 4xx or 5xx status', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) expect(status >= 400 && status < 600, code).toBe(true);
  });
});
