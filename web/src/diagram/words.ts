/**
 * Lifecycle events, guards, close codes and transitions in words, for diagram labels, the details panel
 * and the phone timeline. Pure: unit-tested in node (test/ui/diagram-words.test.ts).
 */
import { formatDuration } from '../format.js';

/** WhatsApp close codes as Baileys names them (DisconnectReason), in plain words. */
const CLOSE_WORDS: Record<number, string> = {
  401: 'logged out',
  403: 'forbidden',
  408: 'timed out',
  411: 'multi-device mismatch',
  428: 'connection lost',
  440: 'replaced by another session',
  500: 'bad session',
  503: 'service unavailable',
  515: 'restart required',
};

/** "428 connection lost"; an unknown code keeps the server's reason. */
export function closeWords(code: number, reason?: string | null): string {
  const w = CLOSE_WORDS[code] ?? (reason && !/^closed \(\d+\)$/.test(reason) ? reason : 'connection closed');
  return `${code} ${w}`;
}

const EVENT_WORDS: Record<string, string> = {
  'ENGINE.CLOSED': 'connection closed',
  'ENGINE.OPEN': 'logged in',
  'ENGINE.QR': 'QR code issued',
  'ENGINE.PAIRING_CODE': 'pairing code issued',
  'ENGINE.PAIRING_CODE_FAILED': 'pairing code refused',
  REQUEST_PAIRING_CODE: 'operator: link by phone number',
  'ENGINE.APP_STATE_FAILURE': 'app-state sync failed',
  'ENGINE.RESYNC_DONE': 'resync done',
  'ENGINE.RESYNC_FAILED': 'resync failed',
  FORCE_RESYNC: 'operator: force resync',
  LOGOUT: 'operator: log out',
  RESTART: 'operator: restart',
  RESET: 'operator: reset',
  'xstate.init': 'start',
};

const AFTER_WORDS: Record<string, string> = {
  backoff: 'backoff over',
  watchdog: 'watchdog fired',
  resyncTimeout: 'resync timed out',
  restartDelay: 'restart delay over',
  stuckRetry: 'slow retry',
};

const ACTOR_WORDS: Record<string, { done: string; error: string }> = {
  connection: { done: 'worker gave up', error: 'worker crashed' },
  engine: { done: 'engine stopped', error: 'engine crashed' },
};

/** The delay name of an `xstate.after.<delay>.<state>` event, if it is one. */
export function afterDelay(event: string): string | null {
  const m = /^xstate\.after\.([^.]+)\./.exec(event);
  return m ? m[1]! : null;
}

/** An event in words: "connection closed", "backoff over", "worker gave up". */
export function eventWords(event: string): string {
  const known = EVENT_WORDS[event];
  if (known) return known;
  const delay = afterDelay(event);
  if (delay) return AFTER_WORDS[delay] ?? `after ${delay}`;
  const m = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event);
  if (m) {
    const w = ACTOR_WORDS[m[2]!];
    return w ? w[m[1] as 'done' | 'error'] : `${m[2]} ${m[1] === 'done' ? 'finished' : 'failed'}`;
  }
  return event;
}

const GUARD_WORDS: Record<string, string> = {
  selfInflicted: 'a close this service caused itself',
  isRestartRequired: 'code 515 (restart required)',
  isLoggedOut: 'code 401 (logged out)',
  isStuckCode: 'code 440, 403 or 411',
  watchdogDue: 'the watchdog deadline has passed',
  lastCloseNeedsRestart: 'the last close code asks for a full restart',
  overSoftLimit: 'more sync failures than the soft-recovery limit',
  inCooldown: 'a recovery ran within the cooldown',
  resyncReconnect: 'reconnect-on-resync is enabled',
  escalatedToStuck: 'the worker asks for stuck',
  onProbation: 'a slow retry out of stuck is on trial',
  withinRestartBudget: 'restart budget left',
  stuckRetryArmed: 'slow retry is enabled',
  noPairingPending: 'no pairing-code request in flight',
  answersPairing: "the answer to this socket's pending code request",
};

export function guardWords(guard: string): string {
  // XState names combined guards "and(a, b)"-style in JSON; split them into words too.
  const parts = guard.match(/[A-Za-z]+/g)?.filter((p) => p !== 'and' && p !== 'or' && p !== 'not') ?? [guard];
  return parts.map((p) => GUARD_WORDS[p] ?? p).join(' and ');
}

/** Close guards name a code family: shown on the edge label itself, since they are what tells two close edges apart. */
const CLOSE_GUARD_LABEL: Record<string, string> = {
  isRestartRequired: '515 restart required',
  isLoggedOut: '401 logged out',
  isStuckCode: '440 / 403 / 411 close',
};

/** The label lines of one event on a diagram edge (a close with code guards becomes one line per code family). */
export function edgeEventLines(event: string, guards: string[]): string[] {
  if (event === 'ENGINE.CLOSED') {
    const coded = guards.map((g) => CLOSE_GUARD_LABEL[g]).filter((x): x is string => x !== undefined);
    const plain = guards.length === 0 || guards.some((g) => !CLOSE_GUARD_LABEL[g]);
    return [...coded, ...(plain || coded.length === 0 ? ['connection closed'] : [])];
  }
  return [eventWords(event)];
}

/** Facts a runtime transition does not carry itself, read from the status that followed it. */
export interface StepDetail {
  code?: number;
  reason?: string;
  /** How long the state it entered waits before its timer fires (backoff, restart delay, stuck retry). */
  delayMs?: number;
}

export interface StepLike {
  actor: string;
  event: string;
  from: string[];
  to: string[];
  at: number;
}

/** Last segment of a state id: "connection.connecting.backoff" → "backoff". */
const leaf = (id: string) => id.slice(id.lastIndexOf('.') + 1);

/** Which deadline times the state a transition enters (its delay is deadline − transition time). */
export const ENTRY_TIMERS: Record<string, 'backoffUntil' | 'restartAt' | 'stuckRetryAt' | 'resyncDeadline'> = {
  'connection.connecting.backoff': 'backoffUntil',
  'supervisor.restarting': 'restartAt',
  'supervisor.stuck': 'stuckRetryAt',
  'connection.soft-resync': 'resyncDeadline',
};

/** How the entered state's timer reads after its name. */
const DELAY_WORDS: Record<string, (d: string) => string> = {
  'connection.connecting.backoff': (d) => ` ${d}`,
  'supervisor.restarting': (d) => ` in ${d}`,
  'supervisor.stuck': (d) => `, retry in ${d}`,
  'connection.soft-resync': (d) => ` (deadline ${d})`,
};

/** "428 connection lost → backoff 4 s", "logged in → open", "worker gave up → restarting in 2 s". */
export function stepText(t: StepLike, d: StepDetail | undefined): string {
  const cause = d?.code !== undefined ? closeWords(d.code, d.reason) : eventWords(t.event);
  const target = t.to.map(leaf).join(', ');
  const fmt = t.to.map((id) => DELAY_WORDS[id]).find((f) => f !== undefined);
  const delay = d?.delayMs !== undefined && fmt ? fmt(formatDuration(d.delayMs)) : '';
  return `${cause} → ${target}${delay}`;
}

/** A minimal status shape (the UI's StatusSummary satisfies it). */
export interface StatusFacts {
  lastDisconnect: { code: number; reason: string; at: number } | null;
  deadlines: Partial<Record<'backoffUntil' | 'restartAt' | 'stuckRetryAt' | 'resyncDeadline', number | null>>;
}

/** Closes the runtime records within this of the transition belong to it (same macrostep, same clock). */
const SAME_STEP_MS = 1500;

/**
 * What a status adds to a transition: the close code when the status's last disconnect was recorded by
 * that same step, and the delay of the timer the entered state runs when `current` (the transition is
 * the one that entered the state the status describes, so its deadline is that step's).
 */
export function stepDetail(t: StepLike, status: StatusFacts, current: boolean): StepDetail {
  const out: StepDetail = {};
  const ld = status.lastDisconnect;
  const closeLike = t.event === 'ENGINE.CLOSED' || t.event.startsWith('xstate.done.actor.');
  if (ld && closeLike && Math.abs(ld.at - t.at) <= SAME_STEP_MS) {
    out.code = ld.code;
    out.reason = ld.reason;
  }
  if (current) {
    for (const to of t.to) {
      const key = ENTRY_TIMERS[to];
      const at = key ? status.deadlines[key] : null;
      // Deadline and transition are stamped by separate Date.now() calls: round off the millisecond between them.
      if (at !== null && at !== undefined && at >= t.at) out.delayMs = Math.round((at - t.at) / 100) * 100;
    }
  }
  return out;
}

/**
 * The delay a state waited, read from history: `next` is the same actor's following transition, and it
 * left `t`'s target by that state's own timer. Rounded down (a timer fires a little after its deadline).
 */
export function inferredDelay(t: StepLike, next: StepLike): number | undefined {
  if (next.actor !== t.actor || !afterDelay(next.event)) return undefined;
  const timed = t.to.find((id) => ENTRY_TIMERS[id] !== undefined && next.from.includes(id));
  return timed ? Math.floor((next.at - t.at) / 100) * 100 : undefined;
}
