/**
 * The runtime facade (src/runtime/index.ts) with a scripted engine and real timers: commands are accepted
 * exactly when the summary says so, waitFor/subscribe follow the status, the transition list comes from the
 * public inspection API (re-entries included, actions-only steps excluded), and logging levels follow
 * issue #11 item 14 (transitions at debug unless WA_EVENT_LOG, state changes at info).
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig } from '../../machines/types.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime, OPERATOR_COMMANDS, type Runtime, type RuntimeChange } from '../../src/runtime/index.js';
import { eventually } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

const ME = { id: '447700900000@s.whatsapp.net' };
let runtime: Runtime | undefined;
afterEach(() => {
  runtime?.stop();
  runtime = undefined;
});

function start(over: Partial<LifecycleConfig> = {}, opts: { eventLog?: boolean; lines?: Array<Record<string, unknown>> } = {}) {
  const engine = scriptedEngine();
  const logger = opts.lines
    ? pino({ level: 'trace' }, new Writable({ write: (c, _e, cb) => (opts.lines!.push(JSON.parse(String(c)) as Record<string, unknown>), cb()) }))
    : silentLogger();
  runtime = createRuntime({ lifecycle: { ...DEFAULT_LIFECYCLE_CONFIG, ...over }, engine: engine.factory, logger, eventLog: opts.eventLog });
  runtime.start();
  return { engine, runtime };
}

describe('send', () => {
  it('accepts a command exactly when the summary marks it accepted, and refuses without sending otherwise', () => {
    const { engine, runtime: r } = start();
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    engine.emit({ type: 'ENGINE.CLOSED', code: 440, reason: 'replaced', selfInflicted: false });
    const before = r.getSummary();
    expect(before.state).toBe('stuck');
    expect(before.commands.FORCE_RESYNC).toBe(false);
    const refused = r.send({ type: 'FORCE_RESYNC' });
    expect(refused.accepted).toBe(false);
    expect(refused.summary.since).toBe(before.since);
    expect(r.getState().recentTransitions.some((t) => t.event === 'FORCE_RESYNC')).toBe(false);

    expect(before.commands.RESTART).toBe(true);
    const ok = r.send({ type: 'RESTART' });
    expect(ok.accepted).toBe(true);
    expect(ok.summary.state).toBe('connecting');
    expect(ok.status.state).toBe('connecting');
  });

  // Scripts that drive a fresh runtime into each public state (synchronously: no timer runs in between).
  const scripts: Record<string, (e: ReturnType<typeof scriptedEngine>, r: Runtime) => void> = {
    connecting: () => {},
    'awaiting-qr': (e) => e.emit({ type: 'ENGINE.QR', qr: 'x' }),
    open: (e) => e.emit({ type: 'ENGINE.OPEN', me: ME }),
    'soft-resync': (e) => {
      e.emit({ type: 'ENGINE.OPEN', me: ME });
      e.emit({ type: 'ENGINE.APP_STATE_FAILURE', collection: 'regular', detail: 'x' });
    },
    restarting: (e, r) => {
      e.emit({ type: 'ENGINE.OPEN', me: ME });
      r.send({ type: 'RESTART' });
    },
    stuck: (e) => e.emit({ type: 'ENGINE.CLOSED', code: 440, reason: 'replaced', selfInflicted: false }),
  };

  it.each(Object.keys(scripts))('in %s, each command is accepted exactly when the summary says so', (state) => {
    for (const command of OPERATOR_COMMANDS) {
      const { engine, runtime: r } = start();
      scripts[state]!(engine, r);
      const summary = r.getSummary();
      expect(summary.state).toBe(state);
      expect(r.send({ type: command }).accepted, `${command} in ${state}`).toBe(summary.commands[command]);
      r.stop();
    }
  });
});

describe('report', () => {
  it('keeps an account restriction in the status every surface reads, in any state, without a transition', () => {
    const { engine, runtime: r } = start();
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    const until = Date.now() + 3_600_000;
    const transitions = r.getState().recentTransitions.length;
    r.report({ type: 'ACCOUNT.RESTRICTED', kind: 'reachout_timelock', until, detail: '463' });
    expect(r.getSummary()).toMatchObject({ state: 'open', restriction: { kind: 'reachout_timelock', until } });
    expect(r.getHealth()).toMatchObject({ ok: true, reason: expect.stringMatching(/reachout timelock\) until/) });
    expect(r.getState().recentTransitions).toHaveLength(transitions);
    engine.emit({ type: 'ENGINE.CLOSED', code: 440, reason: 'replaced', selfInflicted: false });
    expect(r.getSummary()).toMatchObject({ state: 'stuck', restriction: { kind: 'reachout_timelock' } });
    r.report({ type: 'ACCOUNT.UNRESTRICTED' });
    expect(r.getSummary().restriction).toBeNull();
  });
});

describe('waitFor and subscribe', () => {
  it('waitFor resolves once the predicate holds and rejects after its timeout', async () => {
    const { engine, runtime: r } = start();
    const opened = r.waitFor((s) => s.state === 'open', 5_000);
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await expect(opened).resolves.toMatchObject({ state: 'open', me: ME });
    await expect(r.waitFor((s) => s.state === 'stuck', 30)).rejects.toThrow(/timed out after 30 ms .*now: open/);
  });

  it('subscribe delivers status changes (with the summary) and transitions until unsubscribed', async () => {
    const { engine, runtime: r } = start();
    const seen: RuntimeChange[] = [];
    const off = r.subscribe((c) => seen.push(c));
    engine.emit({ type: 'ENGINE.QR', qr: 'qr-ref' });
    await eventually(() => seen.some((c) => c.type === 'status' && c.status.state === 'awaiting-qr'));
    const status = seen.find((c) => c.type === 'status' && c.status.state === 'awaiting-qr');
    expect(status).toMatchObject({ summary: { state: 'awaiting-qr', qrAvailable: true, authenticated: false }, health: { ok: true } });
    expect(JSON.stringify(status && status.type === 'status' ? status.summary : null)).not.toContain('qr-ref');
    expect(seen).toContainEqual(
      expect.objectContaining({ type: 'transition', transition: expect.objectContaining({ actor: 'connection', event: 'ENGINE.QR' }) }),
    );
    off();
    const count = seen.length;
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    // waitFor's own listener sees the change, so every listener has been called by now.
    await r.waitFor((s) => s.state === 'open', 1_000);
    expect(seen).toHaveLength(count);
  });

  it('a listener that throws does not stop the others', async () => {
    const { engine, runtime: r } = start();
    r.subscribe(() => {
      throw new Error('bad listener');
    });
    const opened = r.waitFor((s) => s.state === 'open', 2_000);
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await expect(opened).resolves.toMatchObject({ state: 'open' });
  });
});

describe('transitions list', () => {
  it('records source and target ids, re-entries included, and no actions-only steps', () => {
    const { engine, runtime: r } = start({ backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'lost', selfInflicted: false });
    // A second close while already in backoff re-enters backoff: the value does not change, it is a transition.
    engine.emit({ type: 'ENGINE.CLOSED', code: 408, reason: 'lost', selfInflicted: false });
    // A self-inflicted close is handled by a targetless branch: no transition.
    engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'ours', selfInflicted: true });
    const ts = r.getState().recentTransitions.filter((t) => t.actor === 'connection');
    expect(ts.map((t) => [t.event, t.from, t.to])).toEqual([
      ['ENGINE.OPEN', ['connection.connecting'], ['connection.open']],
      ['ENGINE.CLOSED', ['connection.open'], ['connection.connecting.backoff']],
      ['ENGINE.CLOSED', ['connection.connecting'], ['connection.connecting.backoff']],
    ]);
    // The supervisor's actions-only reactions to the worker's reports are not transitions.
    expect(r.getState().recentTransitions.filter((t) => t.actor === 'supervisor')).toEqual([]);
  });

  it('keeps the newest 50', () => {
    const { engine, runtime: r } = start({ backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
    for (let i = 0; i < 60; i++) engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: `n${i}`, selfInflicted: false });
    const ts = r.getState().recentTransitions;
    expect(ts).toHaveLength(50);
    expect(ts.every((t) => t.event === 'ENGINE.CLOSED')).toBe(true);
  });
});

describe('logging (item 14)', () => {
  it('logs transitions at debug and state changes at info by default', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const { engine, runtime: r } = start({}, { lines });
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await r.waitFor((s) => s.state === 'open', 1_000);
    await eventually(() => lines.some((l) => l.msg === 'connection state changed' && l.state === 'open'));
    const transitions = lines.filter((l) => l.msg === 'transition');
    expect(transitions.length).toBeGreaterThan(0);
    expect(transitions.every((l) => l.level === 20)).toBe(true);
    expect(lines.filter((l) => l.msg === 'connection state changed').every((l) => l.level === 30)).toBe(true);
  });

  it('logs every transition at info with WA_EVENT_LOG=1', () => {
    const lines: Array<Record<string, unknown>> = [];
    const { engine } = start({}, { lines, eventLog: true });
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    const transitions = lines.filter((l) => l.msg === 'transition');
    expect(transitions).toContainEqual(expect.objectContaining({ level: 30, event: 'ENGINE.OPEN', to: ['connection.open'] }));
  });
});

describe('machineJson', () => {
  it('serves both machine definitions with descriptions', () => {
    const { runtime: r } = start();
    const json = r.machineJson() as { supervisor: { states: Record<string, { description?: string }> }; connection: { id: string } };
    expect(json.connection.id).toBe('connection');
    expect(json.supervisor.states.stuck?.description).toMatch(/operator/);
  });
});
