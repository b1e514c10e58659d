/**
 * Pure projections of the supervisor tree: the public lifecycle status and the health verdict.
 * No I/O: `/healthz` calls these with the current snapshots and the clock.
 */
import type { ConnectionContext } from './connection.machine.js';
import type { SupervisorContext } from './supervisor.machine.js';
import type { Disconnect, Me, PublicState } from './types.js';

/** The minimum the projection needs from the two snapshots (kept structural so tests can build it by hand). */
export interface TreeSnapshot {
  supervisor: { value: unknown; context: SupervisorContext };
  /** The live worker's snapshot, when the supervisor is running one. */
  connection?: { value: unknown; context: ConnectionContext; status?: string };
}

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

function topState(value: unknown): string {
  return typeof value === 'string' ? value : Object.keys(value as Record<string, unknown>)[0] ?? 'unknown';
}

function connectionState(value: unknown): PublicState {
  const top = topState(value);
  if (top === 'connecting') {
    const sub = (value as Record<string, unknown>).connecting;
    return sub === 'awaiting-qr' ? 'awaiting-qr' : 'connecting';
  }
  if (top === 'open' || top === 'soft-resync') return top;
  // `escalated` lasts one macrostep: the supervisor is already leaving `running`.
  return 'restarting';
}

export function projectStatus(tree: TreeSnapshot, now: number): LifecycleStatus {
  const sup = tree.supervisor.context;
  const supState = topState(tree.supervisor.value);
  const conn = supState === 'running' ? tree.connection?.context : undefined;
  const state: PublicState =
    supState === 'running' && tree.connection ? connectionState(tree.connection.value) : supState === 'stuck' ? 'stuck' : 'restarting';
  const budgetUsed = sup.restartLog.filter((t) => now - t < sup.config.restartPeriodMs).length;

  let reason: string | null = null;
  if (state === 'stuck') reason = sup.stuckReason ?? 'stuck';
  else if (state === 'awaiting-qr') reason = 'waiting for the QR code to be scanned';
  else if (state !== 'open') reason = sup.degradedReason ?? state;

  return {
    state,
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
 * SPEC §7: healthy when open or awaiting a QR scan; while connecting / soft-resync / restarting, healthy
 * until the grace deadline (strictly before it); stuck is never healthy.
 */
export function computeHealth(status: LifecycleStatus, now: number): Health {
  let ok: boolean;
  let reason = status.reason;
  switch (status.state) {
    case 'open':
    case 'awaiting-qr':
      ok = true;
      break;
    case 'stuck':
      ok = false;
      break;
    default: {
      const graceAt = status.deadlines.graceAt;
      ok = graceAt === null || now < graceAt;
      if (!ok) reason = `${status.reason ?? status.state}; not recovered within the readiness grace period`;
    }
  }
  return { ok, httpStatus: ok ? 200 : 503, state: status.state, reason, since: status.since };
}
