/** Starts the real application on 127.0.0.1:0 with a temp DATA_DIR; returns helpers to call it. Every test app starts here. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { createApp, type AppOptions } from '../../src/app.js';

export async function startTestApp(env: Record<string, string> = {}, opts: AppOptions = {}, reuseDataDir?: string, logger: Logger = silentLogger()) {
  const dataDir = reuseDataDir ?? mkdtempSync(join(tmpdir(), 'wa-mcp-test-'));
  // Writes go straight out in tests unless a test opts into send safety (the product default is confirm + pacing).
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: 'admin-secret-token', MCP_AUTH_TOKEN: 'mcp-secret-token', SEND_MODE: 'allow', SEND_APPROVE_NEW_RECIPIENTS: '0', SEND_PACING: '0', ...env }, []);
  const app = createApp(config, logger, opts);
  const { url } = await app.start();
  const adminHeaders = { Authorization: 'Bearer admin-secret-token' };
  return {
    app,
    url,
    dataDir,
    adminHeaders,
    /** fetch with the admin bearer token. */
    api(path: string, init: RequestInit = {}) {
      return fetch(url + path, { ...init, headers: { ...adminHeaders, ...(init.headers as Record<string, string>) } });
    },
    async stop(opts: { keepData?: boolean } = {}) {
      await app.stop();
      if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** A JSON POST with the admin token, as the admin UI sends one. */
export function postJson(t: TestApp, path: string, body: unknown): Promise<Response> {
  return t.api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** Polls `check` until it returns a truthy value or the deadline passes (no fixed sleeps in tests). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5_000, stepMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A root logger that keeps every line (parsed) in memory, for tests that assert on what is logged. */
export function memoryLogger(level = 'debug'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}
