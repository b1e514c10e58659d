import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { resolveTokens, tokenMatches } from '../../src/auth/tokens.js';
import { DEFAULT_LIFECYCLE_CONFIG } from '../../machines/types.js';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies the SPEC defaults', () => {
    const c = loadConfig({}, []);
    expect(c.port).toBe(3003);
    expect(c.host).toBe('127.0.0.1');
    expect(c.lifecycle).toMatchObject({
      syncRecoveryCooldownMs: 300_000,
      syncRecoveryWindowMs: 900_000,
      syncSoftRecoveryLimit: 2,
      readinessGraceMs: 180_000,
      disconnectRecoveryDelayMs: 30_000,
      disconnectRecoveryRestartCodes: [428],
      resyncReconnect: true,
      resyncReconnectDelayMs: 15_000,
    });
    expect(c.sending).toEqual({ dedupWindowMs: 45_000, idempotencyTtlMs: 86_400_000 });
    expect(c.mcp.jsonResponse).toBe(true);
    expect(c.stdio).toBe(false);
    expect(c.dbPath).toMatch(/data\/store\.sqlite$/);
  });

  it('takes the lifecycle defaults from the machines (one copy)', () => {
    expect(loadConfig({}, []).lifecycle).toEqual(DEFAULT_LIFECYCLE_CONFIG);
    // A parsed default is a copy: changing it cannot change the machines' defaults.
    loadConfig({}, []).lifecycle.disconnectRecoveryRestartCodes.push(999);
    expect(DEFAULT_LIFECYCLE_CONFIG.disconnectRecoveryRestartCodes).toEqual([428]);
  });

  it('accepts 0 where it means something', () => {
    const c = loadConfig({ PORT: '0', WA_SEND_DEDUP_WINDOW_MS: '0', WA_RESTART_INTENSITY: '0', WA_STUCK_RETRY_MS: '0' }, []);
    expect(c.port).toBe(0);
    expect(c.sending.dedupWindowMs).toBe(0);
    expect(c.lifecycle.restartIntensity).toBe(0);
  });

  it('names every bad variable and the expected form', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', WA_RESYNC_RECONNECT: 'maybe', WA_DISCONNECT_RECOVERY_RESTART_CODES: '428,x', WA_SOCKET_URL: 'http://x' }, []);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/PORT="eighty": expected an integer from 0 to 65535/);
    expect(msg).toMatch(/WA_RESYNC_RECONNECT="maybe": expected a boolean/);
    expect(msg).toMatch(/WA_DISCONNECT_RECOVERY_RESTART_CODES="428,x"/);
    expect(msg).toMatch(/WA_SOCKET_URL="http:\/\/x": expected a ws/);
  });

  it('TRUST_PROXY: none by default; hop counts, named ranges and addresses; anything else is refused', () => {
    expect(loadConfig({}, []).auth.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }, []).auth.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }, []).auth.trustProxy).toBe('loopback,10.0.0.0/8');
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' }, [])).toThrow(/TRUST_PROXY="everyone"/);
  });

  it('rejects negative numbers and a settings file inside the media dir', () => {
    expect(() => loadConfig({ WA_READINESS_GRACE_MS: '-1' }, [])).toThrow(/WA_READINESS_GRACE_MS/);
    expect(() => loadConfig({ DATA_DIR: '/tmp/x', SETTINGS_PATH: '/tmp/x/media/settings.json' }, [])).toThrow(/SETTINGS_PATH/);
  });

  it('reads --stdio from argv', () => {
    expect(loadConfig({}, ['--stdio']).stdio).toBe(true);
  });
});

describe('tokens', () => {
  it('generates tokens once into 0600 files, reuses them, and never logs them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wa-tokens-'));
    const lines: string[] = [];
    const log = pino({ level: 'trace' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    const a = resolveTokens({ dataDir: dir, disabled: false, log });
    expect(a.admin).toMatch(/^[\w-]{40,}$/);
    expect(a.mcp).not.toBe(a.admin);
    for (const f of [a.files.admin!, a.files.mcp!]) expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readFileSync(a.files.admin!, 'utf8').trim()).toBe(a.admin);
    const b = resolveTokens({ dataDir: dir, disabled: false, log });
    expect(b.admin).toBe(a.admin);
    expect(b.mcp).toBe(a.mcp);
    const all = lines.join('');
    expect(all).not.toContain(a.admin!);
    expect(all).not.toContain(a.mcp!);
    expect(all).toContain(a.files.admin!);
  });

  it('prefers env tokens and compares exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wa-tokens-'));
    const t = resolveTokens({ dataDir: dir, disabled: false, adminToken: 'A'.repeat(20), mcpToken: 'B'.repeat(20), log: pino({ level: 'silent' }) });
    expect(t.files).toEqual({});
    expect(tokenMatches('A'.repeat(20), t.admin!)).toBe(true);
    expect(tokenMatches('A'.repeat(19), t.admin!)).toBe(false);
    expect(tokenMatches(undefined, t.admin!)).toBe(false);
  });
});
