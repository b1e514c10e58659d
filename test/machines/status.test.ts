/**
 * The status projection and health verdict (machines/status.ts) and the machine definitions they read:
 * descriptions, tags → condition, authenticated, accepted commands, retryInMs, backoff arithmetic.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectionMachine } from '../../machines/connection.machine.js';
import { computeHealth, retryInMs, summarize, type LifecycleStatus } from '../../machines/status.js';
import { supervisorMachine } from '../../machines/supervisor.machine.js';
import { backoffDelay, DEFAULT_LIFECYCLE_CONFIG, PUBLIC_STATES, type LifecycleConfig } from '../../machines/types.js';
import { startTree, type Tree } from './harness.js';
import { T0 } from './scenario-kit.js';

let t: Tree | undefined;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  t?.stop();
  t = undefined;
  vi.useRealTimers();
});

function openTree(over: Partial<LifecycleConfig> = {}): Tree {
  const tree = (t = startTree(over));
  tree.takeCommands();
  tree.open();
  expect(tree.state()).toBe('open');
  return tree;
}

describe('backoff', () => {
  it('jitter keeps every backoff inside ±jitter of the nominal delay and caps at the maximum', () => {
    const cfg = { ...DEFAULT_LIFECYCLE_CONFIG, backoffBaseMs: 1_000, backoffMaxMs: 10_000, backoffJitter: 0.2 };
    expect(backoffDelay(cfg, 0, () => 0)).toBe(800);
    expect(backoffDelay(cfg, 0, () => 1)).toBe(1_200);
    expect(backoffDelay(cfg, 2, () => 0.5)).toBe(4_000);
    expect(backoffDelay(cfg, 30, () => 1)).toBe(12_000);
  });
});

const summary = (tree: Tree) => summarize(tree.tree(), Date.now());

describe('authenticated (a linked device)', () => {
  it('is false from the moment the device is unlinked: a 401, a logout, a QR while open', () => {
    const tree = openTree();
    expect(summary(tree)).toMatchObject({ authenticated: true, me: { id: '447700900001@s.whatsapp.net' } });
    tree.close(401);
    expect(tree.state()).toBe('connecting');
    expect(summary(tree)).toMatchObject({ authenticated: false, me: null });
    tree.open();
    tree.send({ type: 'LOGOUT' });
    expect(summary(tree)).toMatchObject({ state: 'connecting', authenticated: false, me: null });
    tree.open();
    tree.emit({ type: 'ENGINE.QR', qr: 'again' });
    expect(summary(tree)).toMatchObject({ state: 'awaiting-qr', authenticated: false, me: null, qrAvailable: true });
  });

  it('stays true while a linked device reconnects or restarts', () => {
    const tree = openTree({ disconnectRecoveryDelayMs: 10 });
    tree.close(428);
    expect(summary(tree)).toMatchObject({ state: 'connecting', authenticated: true });
    vi.advanceTimersByTime(10);
    expect(summary(tree)).toMatchObject({ state: 'restarting', authenticated: true });
    vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
    expect(summary(tree)).toMatchObject({ state: 'connecting', authenticated: true, me: { id: '447700900001@s.whatsapp.net' } });
  });
});

describe('condition (from the state tags) and health', () => {
  it('restarting is degraded, stuck needs an operator and is never healthy, whatever the grace', () => {
    const tree = openTree({ readinessGraceMs: 60_000, restartIntensity: 0, stuckRetryMs: 0 });
    tree.send({ type: 'RESTART' });
    expect(summary(tree)).toMatchObject({ state: 'restarting', condition: 'degraded', health: { ok: true } });
    vi.advanceTimersByTime(1);
    tree.close(403);
    const s = summary(tree);
    expect(s).toMatchObject({ state: 'stuck', condition: 'needs-operator', health: { ok: false, httpStatus: 503, reason: 'forbidden' } });
    // Inside the grace period still: stuck is unhealthy because of its tag, not because of time.
    expect(s.deadlines.graceAt).toBeGreaterThan(Date.now());
  });

  it('a degraded state is healthy strictly before the grace deadline only; a healthy one stays healthy', () => {
    const base: LifecycleStatus = {
      state: 'connecting',
      condition: 'degraded',
      since: T0,
      reason: 'closed (428)',
      me: null,
      qr: null,
      lastDisconnect: null,
      outage: null,
      deadlines: { graceAt: T0 + 1_000, backoffUntil: null, watchdogAt: null, resyncDeadline: null, restartAt: null, stuckRetryAt: null },
      restartBudget: { used: 0, intensity: 5, periodMs: 600_000 },
      syncFailures: 0,
      restriction: null,
      pairing: null,
    };
    expect(computeHealth(base, T0 + 999).ok).toBe(true);
    expect(computeHealth(base, T0 + 1_000)).toMatchObject({ ok: false, httpStatus: 503, reason: 'closed (428); not recovered within the readiness grace period' });
    expect(computeHealth({ ...base, state: 'awaiting-qr', condition: 'healthy' }, T0 + 10_000).ok).toBe(true);
  });
});

describe('retryInMs', () => {
  it('is the soonest future deadline, ignoring the grace deadline and past ones', () => {
    const deadlines = { graceAt: T0 + 10, backoffUntil: T0 - 5, watchdogAt: T0 + 3_000, resyncDeadline: null, restartAt: T0 + 2_000, stuckRetryAt: null };
    const status = { deadlines } as Pick<LifecycleStatus, 'deadlines'> as LifecycleStatus;
    expect(retryInMs(status, T0)).toBe(2_000);
    expect(retryInMs(status, T0 + 5_000)).toBeNull();
  });
});

describe('accepted commands', () => {
  it('follow the machines: FORCE_RESYNC only when open; while restarting or stuck the supervisor decides alone', () => {
    const tree = openTree({ stuckRetryMs: 0 });
    expect(summary(tree).commands).toEqual({ RESTART: true, FORCE_RESYNC: true, LOGOUT: true, RESET: true });
    tree.send({ type: 'RESTART' });
    expect(summary(tree)).toMatchObject({ state: 'restarting', commands: { RESTART: true, FORCE_RESYNC: false, LOGOUT: true, RESET: true } });
    vi.advanceTimersByTime(1);
    tree.close(440);
    expect(summary(tree)).toMatchObject({ state: 'stuck', commands: { RESTART: true, FORCE_RESYNC: false, LOGOUT: true, RESET: true } });
  });
});

describe('machine definitions', () => {
  it('name the public states exactly', () => {
    const json = JSON.stringify([supervisorMachine.toJSON(), connectionMachine.toJSON()]);
    for (const s of PUBLIC_STATES) expect(json).toContain(`"key":"${s}"`);
  });

  it('every state carries a why-comment-sized description', () => {
    interface NodeJson { id: string; description?: unknown; states?: Record<string, NodeJson> }
    const nodes: NodeJson[] = [];
    const visit = (n: NodeJson) => {
      for (const child of Object.values(n.states ?? {})) {
        nodes.push(child);
        visit(child);
      }
    };
    for (const m of [supervisorMachine, connectionMachine]) visit(m.toJSON() as NodeJson);
    expect(nodes.map((n) => n.id).sort()).toEqual([
      'connection.connecting',
      'connection.connecting.awaiting-code',
      'connection.connecting.awaiting-qr',
      'connection.connecting.backoff',
      'connection.connecting.handshake',
      'connection.escalated',
      'connection.open',
      'connection.soft-resync',
      'supervisor.restarting',
      'supervisor.running',
      'supervisor.stuck',
    ]);
    // One line, no padding, long enough to say why and short enough to be a comment.
    const bad = nodes
      .filter((n) => typeof n.description !== 'string' || !/^\S[^\n]{18,108}\S$/.test(n.description))
      .map((n) => `${n.id}: ${JSON.stringify(n.description)}`);
    expect(bad).toEqual([]);
  });
});
