/**
 * One status projection (issue #11 item 5): `/api/status`, `/api/state`, the SSE stream, `/metrics` and the
 * `check_auth_status` MCP tool say the same thing in every lifecycle state, including a QR that arrives while
 * open (the device was unlinked by the server). The real app on port 0 with a scripted engine; the MCP side
 * through the official SDK client.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSummary } from '../../src/runtime/index.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { callOk, connectClient } from '../mcp/helpers.js';

const ME = { id: '447700900000@s.whatsapp.net', name: 'Test' };
const COMMANDS = ['RESTART', 'FORCE_RESYNC', 'LOGOUT', 'RESET'] as const;
const ROUTE: Record<(typeof COMMANDS)[number], string> = {
  RESTART: '/api/restart-wa',
  FORCE_RESYNC: '/api/force-resync',
  LOGOUT: '/api/logout',
  RESET: '/api/reset',
};

let t: TestApp;
let client: Client;
const engine = scriptedEngine();
/** Every `status` event of one SSE stream opened at start-up, in order. */
const streamed: StatusSummary[] = [];
const ctrl = new AbortController();

async function followStream(): Promise<void> {
  const res = await t.api('/api/state/stream', { signal: ctrl.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += value;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event === 'state' && data) streamed.push((JSON.parse(data) as { context: StatusSummary }).context);
        if (event === 'status' && data) streamed.push((JSON.parse(data) as { status: StatusSummary }).status);
      }
    }
  })();
}

async function json<T>(path: string): Promise<T> {
  const res = await t.api(path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** The fields every surface shares; `retryInMs` is relative to each answer's clock, so only its presence. */
function common(s: StatusSummary) {
  return {
    state: s.state,
    authenticated: s.authenticated,
    ready: s.ready,
    qrAvailable: s.qrAvailable,
    pairingCode: s.pairingCode,
    me: s.me,
    reason: s.reason,
    since: s.since,
    lastDisconnect: s.lastDisconnect,
    health: s.health,
    commands: s.commands,
    restriction: s.restriction,
    retryScheduled: s.retryInMs !== null,
  };
}

/** Reads every surface in `state` and asserts they agree; returns the shared view. */
async function agreeIn(state: string) {
  await eventually(() => streamed.at(-1)?.state === state);
  const status = await json<StatusSummary & { store: unknown }>('/api/status');
  const view = await json<{ context: StatusSummary; health: StatusSummary['health']; timers: StatusSummary['deadlines'] }>('/api/state');
  const mcp = await callOk<StatusSummary>(client, 'check_auth_status');
  const metrics = await (await t.api('/metrics')).text();
  const sse = streamed.at(-1)!;

  expect(status.state).toBe(state);
  expect(common(view.context)).toEqual(common(status));
  expect(common(sse)).toEqual(common(status));
  expect(common(mcp)).toEqual(common(status));
  // The full summary (deadlines, budget, outage, condition) is the same object on the admin surfaces.
  const { store: _store, retryInMs: _a, ...rest } = status;
  const { retryInMs: _b, ...ctx } = view.context;
  const { retryInMs: _c, ...streamedRest } = sse;
  expect(ctx).toEqual(rest);
  expect(streamedRest).toEqual(rest);
  expect(view.health).toEqual(status.health);
  expect(view.timers).toEqual(status.deadlines);
  // Never the QR string itself.
  expect(JSON.stringify([status, view, mcp, sse])).not.toContain('qr-ref');
  // /metrics: the same state and health verdict.
  expect(metrics).toContain(`wa_connection_state{state="${state}"} 1`);
  expect(metrics).toMatch(new RegExp(`^wa_healthy ${status.health.ok ? 1 : 0}$`, 'm'));
  // A command the summary marks as refused is refused by its route (409), and nothing changes.
  for (const c of COMMANDS.filter((c) => !status.commands[c])) {
    const res = await t.api(ROUTE[c], { method: 'POST' });
    expect(res.status, `${c} in ${state}`).toBe(409);
  }
  expect((await json<StatusSummary>('/api/status')).since).toBe(status.since);
  return status;
}

beforeAll(async () => {
  t = await startTestApp({}, { engine: engine.factory });
  client = await connectClient(t.url);
  await followStream();
});
afterAll(async () => {
  ctrl.abort();
  await client?.close();
  await t?.stop();
});

describe('every status surface agrees', () => {
  it('while connecting at boot', async () => {
    const s = await agreeIn('connecting');
    expect(s).toMatchObject({ authenticated: false, ready: false, qrAvailable: false, condition: 'degraded' });
    expect(s.commands).toEqual({ RESTART: true, FORCE_RESYNC: false, LOGOUT: true, RESET: true });
  });

  it('while awaiting a QR scan', async () => {
    engine.emit({ type: 'ENGINE.QR', qr: 'qr-ref-1' });
    const s = await agreeIn('awaiting-qr');
    expect(s).toMatchObject({ authenticated: false, ready: false, qrAvailable: true, condition: 'healthy', me: null });
  });

  it('when open', async () => {
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    const s = await agreeIn('open');
    expect(s).toMatchObject({ authenticated: true, ready: true, qrAvailable: false, me: ME, reason: null });
    expect(s.commands).toEqual({ RESTART: true, FORCE_RESYNC: true, LOGOUT: true, RESET: true });
  });

  it('while WhatsApp restricts sends to new contacts (issue #15): healthy, explained, on every surface', async () => {
    const until = Date.now() + 3_600_000;
    t.app.runtime.report({ type: 'ACCOUNT.RESTRICTED', kind: 'reachout_timelock', until, detail: '463' });
    await eventually(() => streamed.at(-1)?.restriction?.kind === 'reachout_timelock');
    const s = await agreeIn('open');
    expect(s.restriction).toMatchObject({ kind: 'reachout_timelock', until });
    expect(s.health).toMatchObject({ ok: true, reason: expect.stringContaining('463 reachout timelock') });
    const health = await (await fetch(`${t.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, reason: s.health.reason });
    expect(await (await t.api('/metrics')).text()).toContain('wa_account_restricted{kind="reachout_timelock"} 1');
    t.app.runtime.report({ type: 'ACCOUNT.UNRESTRICTED' });
    await eventually(() => streamed.at(-1)?.restriction === null);
    expect((await agreeIn('open')).restriction).toBeNull();
  });

  it('during a soft resync', async () => {
    engine.emit({ type: 'ENGINE.APP_STATE_FAILURE', collection: 'regular_high', detail: 'failed to find key' });
    const s = await agreeIn('soft-resync');
    expect(s).toMatchObject({ authenticated: true, ready: false, retryInMs: expect.any(Number) });
    expect(s.commands.FORCE_RESYNC).toBe(false);
    engine.emit({ type: 'ENGINE.RESYNC_DONE', collection: 'regular_high' });
    await agreeIn('open');
  });

  it('when a QR arrives while open (the server unlinked the device)', async () => {
    engine.emit({ type: 'ENGINE.QR', qr: 'qr-ref-2' });
    const s = await agreeIn('awaiting-qr');
    expect(s).toMatchObject({ authenticated: false, ready: false, qrAvailable: true, me: null });
  });

  it('while reconnecting after a transient close (with the outage that began it)', async () => {
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await agreeIn('open');
    engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'connection lost', selfInflicted: false });
    const s = await agreeIn('connecting');
    expect(s).toMatchObject({ authenticated: true, ready: false, retryInMs: expect.any(Number) });
    expect(s.outage).toMatchObject({ code: 428, reason: 'connection lost' });
    expect(s.lastDisconnect).toMatchObject({ code: 428 });
  });

  it('when stuck, and the commands it marks as accepted are accepted', async () => {
    engine.emit({ type: 'ENGINE.CLOSED', code: 440, reason: 'replaced', selfInflicted: false });
    const s = await agreeIn('stuck');
    expect(s).toMatchObject({ reason: 'replaced', ready: false, condition: 'needs-operator', health: { ok: false, httpStatus: 503 } });
    expect(s.commands).toEqual({ RESTART: true, FORCE_RESYNC: false, LOGOUT: true, RESET: true });
    const res = await t.api(ROUTE.RESTART, { method: 'POST' });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { state: string; status: StatusSummary };
    expect(body.state).toBe('connecting');
    // The 202 answer carries the same summary as /api/status.
    expect(common(body.status)).toEqual(common(await json<StatusSummary>('/api/status')));
  });
});

describe('/api/state/machine', () => {
  it('shows every state with its description and tags', async () => {
    interface NodeJson { key: string; description?: string; tags?: string[]; states?: Record<string, NodeJson> }
    const body = await json<{ supervisor: NodeJson; connection: NodeJson }>('/api/state/machine');
    const all: NodeJson[] = [];
    const visit = (n: NodeJson) => Object.values(n.states ?? {}).forEach((c) => (all.push(c), visit(c)));
    visit(body.supervisor);
    visit(body.connection);
    expect(all).toHaveLength(11);
    for (const n of all) expect(n.description, n.key).toMatch(/\w/);
    expect(body.supervisor.states!.stuck!.tags).toEqual(['needs-operator']);
    expect(body.connection.states!.open!.tags).toEqual(['healthy', 'ready']);
  });
});
