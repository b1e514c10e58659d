/**
 * Pure projections of the supervisor tree: the public lifecycle status and the health verdict.
 * No I/O: `/healthz` calls these with the current snapshots and the clock.
 */
import type { SnapshotFrom } from 'xstate';
import type { connectionMachine } from './connection.machine.js';
import type { SupervisorSnapshot } from './supervisor.machine.js';
import type { Disconnect, Me, PublicState } from './types.js';

type ConnectionSnapshot = SnapshotFrom<typeof connectionMachine>;

/** The supervisor's snapshot and, while it runs one, its worker's. */
export interface TreeSnapshot {
  supervisor: SupervisorSnapshot;
  /** The live worker's snapshot, when the supervisor is running one. */
  connection?: ConnectionSnapshot;
}

/**
 * What the current state means for health, read from the state tags: `healthy` (open, awaiting a scan),
 * `degraded` (recovering: healthy only inside the readiness grace), `needs-operator` (stuck: never healthy).
 */
export type Condition = 'healthy' | 'degraded' | 'needs-operator';

export interface Deadlines {
  /** When the health check turns 503 unless the connection opens first. */
  graceAt: number | null;
  backoffUntil: number | null;
  watchdogAt: number | null;
  resyncDeadline: number | null;
  restartAt: number | null;
  stuckRetryAt: number | null;
}

export interface LifecycleStatus {
  state: PublicState;
  /** What `state` means for health (from the state tags). */
  condition: Condition;
  /** When `state` was entered (epoch ms). */
  since: number;
  /** Why the service is in this state, for humans (null when open and healthy). */
  reason: string | null;
  me: Me | null;
  qr: string | null;
  lastDisconnect: Disconnect | null;
  /** The close that began the current outage: its code decides the watchdog's escalation (SPEC §7). */
  outage: Disconnect | null;
  deadlines: Deadlines;
  restartBudget: { used: number; intensity: number; periodMs: number };
  syncFailures: number;
}

/** The flattened public state (SPEC §7): the worker's while the supervisor runs one, else the supervisor's. */
function publicState(tree: TreeSnapshot): PublicState {
  const sup = tree.supervisor;
  if (sup.matches('stuck')) return 'stuck';
  const worker = tree.connection;
  if (!sup.matches('running') || !worker) return 'restarting';
  if (worker.matches({ connecting: 'awaiting-qr' })) return 'awaiting-qr';
  if (worker.matches('connecting')) return 'connecting';
  if (worker.matches('open')) return 'open';
  if (worker.matches('soft-resync')) return 'soft-resync';
  // `escalated` lasts one macrostep: the supervisor is already leaving `running`.
  return 'restarting';
}

function conditionOf(tree: TreeSnapshot): Condition {
  const sup = tree.supervisor;
  if (sup.hasTag('needs-operator')) return 'needs-operator';
  const worker = sup.matches('running') ? tree.connection : undefined;
  return !sup.hasTag('degraded') && worker?.hasTag('healthy') ? 'healthy' : 'degraded';
}

export function projectStatus(tree: TreeSnapshot, now: number): LifecycleStatus {
  const sup = tree.supervisor.context;
  const conn = tree.supervisor.matches('running') ? tree.connection?.context : undefined;
  const state = publicState(tree);
  const budgetUsed = sup.restartLog.filter((t) => now - t < sup.config.restartPeriodMs).length;

  let reason: string | null = null;
  if (state === 'stuck') reason = sup.stuckReason ?? 'stuck';
  else if (state === 'awaiting-qr') reason = 'waiting for the QR code to be scanned';
  else if (state !== 'open') reason = sup.degradedReason ?? state;

  return {
    state,
    condition: conditionOf(tree),
    since: conn && state !== 'restarting' ? Math.max(conn.since, sup.since) : sup.since,
    reason,
    me: conn?.me ?? sup.me,
    qr: state === 'awaiting-qr' ? (conn?.qr ?? sup.qr) : null,
    lastDisconnect: latest(conn?.lastDisconnect ?? null, sup.lastDisconnect),
    outage: conn?.outage ?? null,
    deadlines: {
      graceAt: sup.degradedSince === null ? null : sup.degradedSince + sup.config.readinessGraceMs,
      backoffUntil: conn?.backoffUntil ?? null,
      watchdogAt: conn?.watchdogAt ?? null,
      resyncDeadline: conn?.resyncDeadline ?? null,
      restartAt: sup.restartAt,
      stuckRetryAt: sup.stuckRetryAt,
    },
    restartBudget: { used: budgetUsed, intensity: sup.config.restartIntensity, periodMs: sup.config.restartPeriodMs },
    syncFailures: conn?.syncFailures.length ?? 0,
  };
}

function latest(a: Disconnect | null, b: Disconnect | null): Disconnect | null {
  if (!a) return b;
  if (!b) return a;
  return a.at >= b.at ? a : b;
}

export interface Health {
  ok: boolean;
  httpStatus: 200 | 503;
  state: PublicState;
  reason: string | null;
  since: number;
}

/**
 * SPEC §7: healthy when open or awaiting a QR scan (tag `healthy`); while connecting / soft-resync /
 * restarting (`degraded`), healthy until the grace deadline (strictly before it); stuck (`needs-operator`)
 * is never healthy.
 */
export function computeHealth(status: LifecycleStatus, now: number): Health {
  let ok: boolean;
  let reason = status.reason;
  switch (status.condition) {
    case 'healthy':
      ok = true;
      break;
    case 'needs-operator':
      ok = false;
      break;
    case 'degraded': {
      const graceAt = status.deadlines.graceAt;
      ok = graceAt === null || now < graceAt;
      if (!ok) reason = `${status.reason ?? status.state}; not recovered within the readiness grace period`;
    }
  }
  return { ok, httpStatus: ok ? 200 : 503, state: status.state, reason, since: status.since };
}
