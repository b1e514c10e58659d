/**
 * The one status projection of the supervisor tree (pure, no I/O): the public state, the health verdict,
 * `authenticated` / `qrAvailable` / `ready` / `retryInMs`, and which operator commands are accepted now.
 * `/api/status`, `/api/state`, the SSE stream, `/metrics`, `/healthz` and `check_auth_status` all read it
 * through the runtime, so they cannot disagree.
 */
import type { SnapshotFrom } from 'xstate';
import type { connectionMachine } from './connection.machine.js';
import type { CommandEvent, CommandType } from './events.js';
import { FORWARDED_COMMANDS, type SupervisorSnapshot } from './supervisor.machine.js';
import { PUBLIC_STATES, type Disconnect, type Me, type PairingRequest, type PublicState, type Restriction } from './types.js';

export { PUBLIC_STATES };
export type { PublicState };

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
  /** WhatsApp is refusing our sends to new contacts (463/429/restricted) and `until` has not passed. */
  restriction: Restriction | null;
  /** The link-by-phone-number request on the current unpaired socket, code included (issue #14). */
  pairing: PairingRequest | null;
}

/** The flattened public state (SPEC §7): the worker's while the supervisor runs one, else the supervisor's. */
function publicState(tree: TreeSnapshot): PublicState {
  const sup = tree.supervisor;
  if (sup.matches('stuck')) return 'stuck';
  const worker = tree.connection;
  if (!sup.matches('running') || !worker) return 'restarting';
  // Decision (issue #14): a pairing code is another way of awaiting the same human step, so the worker's
  // `awaiting-code` sub-state (its own node in the diagram) is published as `awaiting-qr`. The six public
  // states are a contract (SPEC §7, check_auth_status, /metrics labels, health); `reason` and the summary's
  // `pairingCode` tell which way the link is awaited, and the QR stays scannable meanwhile.
  if (worker.matches({ connecting: 'awaiting-qr' }) || worker.matches({ connecting: 'awaiting-code' })) return 'awaiting-qr';
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
  else if (tree.connection?.matches({ connecting: 'awaiting-code' })) reason = 'waiting for the pairing code to be entered on the phone';
  else if (state === 'awaiting-qr') reason = conn?.pairing?.code === null && conn.pairing.error === null ? 'waiting for WhatsApp to confirm the pairing code request' : 'waiting for the QR code to be scanned';
  else if (state !== 'open') reason = sup.degradedReason ?? state;

  return {
    state,
    condition: conditionOf(tree),
    since: conn && state !== 'restarting' ? Math.max(conn.since, sup.since) : sup.since,
    reason,
    // A running worker knows best (it starts from the supervisor's `me` and drops it on 401/logout/QR).
    me: conn ? conn.me : sup.me,
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
    restriction: activeRestriction(sup.restriction, now),
    pairing: state === 'awaiting-qr' ? (conn?.pairing ?? null) : null,
  };
}

/** A restriction whose announced end has passed is over (no event needed to clear it). */
function activeRestriction(r: Restriction | null, now: number): Restriction | null {
  return r && (r.until === null || now < r.until) ? r : null;
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
  // A restriction does not make the service unhealthy (reads and replies work) but it is the reason to know.
  if (ok && status.restriction) reason = restrictionReason(status.restriction);
  return { ok, httpStatus: ok ? 200 : 503, state: status.state, reason, since: status.since };
}

export function restrictionReason(r: Restriction): string {
  const what = { reachout_timelock: 'WhatsApp restricts messages to new contacts (463 reachout timelock)', rate_overlimit: 'WhatsApp rate-limits our sends (429)', account_restricted: 'WhatsApp restricted this account' }[r.kind];
  return r.until === null ? what : `${what} until ${new Date(r.until).toISOString()}`;
}

/** The operator commands (SPEC §4), in the order the UI shows them. */
export const OPERATOR_COMMANDS = ['RESTART', 'FORCE_RESYNC', 'LOGOUT', 'RESET'] as const satisfies readonly CommandType[];

/**
 * Whether the tree accepts `command` now: the supervisor's `can()`, and for a command it forwards to a
 * running worker, the worker's `can()` too. The runtime sends a command only when this holds (else 409).
 */
export function accepts(tree: TreeSnapshot, command: CommandEvent): boolean {
  if (!tree.supervisor.can(command)) return false;
  if (FORWARDED_COMMANDS.has(command.type) && tree.connection) return tree.connection.can(command);
  return true;
}

/** The soonest future lifecycle deadline at which the connection may be usable again (ms from now). */
export function retryInMs(status: LifecycleStatus, now: number): number | null {
  const d = status.deadlines;
  const candidates = [d.backoffUntil, d.restartAt, d.stuckRetryAt, d.watchdogAt, d.resyncDeadline]
    .filter((t): t is number => t !== null && t > now)
    .map((t) => t - now);
  return candidates.length > 0 ? Math.min(...candidates) : null;
}

/** What every surface may know about linking by phone number: never the code itself (like the QR). */
export interface PairingCodeSummary {
  /** A code can be requested now (unpaired socket, no request in flight): `request_pairing_code` is not refused. */
  requestable: boolean;
  /** A request was sent and WhatsApp has not answered yet. */
  pending: boolean;
  /** A code is waiting to be typed on the phone (GET /api/pairing-code shows it). */
  available: boolean;
  /** The number the last request on this socket was for. */
  phone: string | null;
  /** Why the last request on this socket failed. */
  error: string | null;
}

/** The status every surface shows: the projection without the QR string or code, plus what callers derive from it. */
export interface StatusSummary extends Omit<LifecycleStatus, 'qr' | 'pairing'> {
  /** A QR is waiting to be scanned (GET /api/qr, get_qr_code); the string itself is never in a status. */
  qrAvailable: boolean;
  pairingCode: PairingCodeSummary;
  /** The device is linked: our own id is known and no QR is being asked for. */
  authenticated: boolean;
  /** The connection is open (state tag `ready`): reads are live and sends go out. */
  ready: boolean;
  /** Milliseconds until the next scheduled recovery step, when one is scheduled. */
  retryInMs: number | null;
  health: Health;
  /** Which operator commands are accepted right now (false → the command routes answer 409). */
  commands: Record<(typeof OPERATOR_COMMANDS)[number], boolean>;
}

export function summarize(tree: TreeSnapshot, now: number): StatusSummary {
  const status = projectStatus(tree, now);
  const { qr, pairing, ...rest } = status;
  const commands = Object.fromEntries(OPERATOR_COMMANDS.map((type) => [type, accepts(tree, { type })])) as StatusSummary['commands'];
  return {
    ...rest,
    qrAvailable: qr !== null,
    pairingCode: {
      requestable: accepts(tree, { type: 'REQUEST_PAIRING_CODE', phone: '' }),
      pending: pairing !== null && pairing.code === null && pairing.error === null,
      available: pairing?.code != null,
      phone: pairing?.phone ?? null,
      error: pairing?.error ?? null,
    },
    authenticated: status.me !== null && status.state !== 'awaiting-qr',
    ready: tree.supervisor.matches('running') && tree.connection?.hasTag('ready') === true,
    retryInMs: retryInMs(status, now),
    health: computeHealth(status, now),
    commands,
  };
}
