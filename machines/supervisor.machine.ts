/**
 * Supervisor (root actor): keeps one connection worker alive, OTP-style.
 *
 *   running ──worker escalates (restart)──► restarting ──backoff──► running
 *      │            └─ over the restart budget ─┐
 *      └──── worker escalates (stuck) ──────────► stuck ──slow retry / operator──► running
 *
 * Tags: `degraded` (restarting: healthy only inside the readiness grace), `needs-operator` (stuck: never
 * healthy). While running, the worker's tags decide.
 *
 * The worker (`connection`, an invoked child) heals what it can in place; the supervisor only decides
 * between a fresh worker and giving up. Deadlines live in context so the snapshot alone tells the UI and
 * /healthz when each timer fires.
 */
import { assign, forwardTo, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { connectionMachine } from './connection.machine.js';
import type { AccountEvent, CommandEvent, ConnectionReport } from './events.js';
import {
  backoffDelay,
  msUntil,
  type Disconnect,
  type Escalation,
  type LifecycleConfig,
  type Me,
  type Restriction,
} from './types.js';

export interface SupervisorInput {
  config: LifecycleConfig;
}

export interface SupervisorContext {
  config: LifecycleConfig;
  since: number;
  /** Start of the current outage (boot, disconnect or recovery); null while healthy. Grace counts from here. */
  degradedSince: number | null;
  degradedReason: string | null;
  /** Timestamps of automatic restarts, for the intensity/period budget. */
  restartLog: number[];
  restartAt: number | null;
  stuckReason: string | null;
  stuckRetryAt: number | null;
  /** A slow retry out of stuck is on trial: if it escalates again, go straight back to stuck. */
  probation: boolean;
  /** Wipe auth when the next worker starts (operator logout while no worker was running). */
  wipeAuthOnStart: boolean;
  lastEscalation: Escalation | null;
  lastDisconnect: Disconnect | null;
  me: Me | null;
  qr: string | null;
  /** WhatsApp's latest refusal of our sends, while it may still hold (see machines/types.ts). */
  restriction: Restriction | null;
}

export type SupervisorEvent = CommandEvent | ConnectionReport | AccountEvent;

/** What a state means for health: see machines/status.ts. */
export type SupervisorTag = 'degraded' | 'needs-operator';

function restartsInPeriod(ctx: SupervisorContext, now: number): number[] {
  return ctx.restartLog.filter((t) => now - t < ctx.config.restartPeriodMs);
}

/** The worker's escalation output, or a synthetic one for a worker that threw. */
function escalationOf(event: { type: string; output?: unknown; error?: unknown }): Escalation {
  const out = event.output as Escalation | undefined;
  if (out && (out.kind === 'restart' || out.kind === 'stuck')) return out;
  const message = event.error instanceof Error ? event.error.message : 'worker failed';
  return { kind: 'restart', reason: `connection worker crashed: ${message}` };
}

const NOT_RETRYABLE = new Set(['replaced']);

/**
 * Commands the supervisor hands to its worker while running: they are possible only when the worker's
 * current state accepts them too (machines/status.ts `accepts`).
 */
export const FORWARDED_COMMANDS: ReadonlySet<CommandEvent['type']> = new Set<CommandEvent['type']>(['LOGOUT', 'FORCE_RESYNC', 'REQUEST_PAIRING_CODE']);

export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    input: {} as SupervisorInput,
    tags: {} as SupervisorTag,
  },
  actors: { connection: connectionMachine },
  actions: {
    stamp: assign({ since: () => Date.now() }),
    /** A worker that escalates on a close (440/403/411) never reported it as a degradation: record it here. */
    noteEscalation: assign(({ context, event }) => {
      const esc = escalationOf(event);
      return {
        lastEscalation: esc,
        lastDisconnect: esc.code !== undefined ? { code: esc.code, reason: esc.reason, at: Date.now() } : context.lastDisconnect,
      };
    }),
    markDegraded: assign(({ context }, params: { reason: string }) => ({
      degradedSince: context.degradedSince ?? Date.now(),
      degradedReason: params.reason,
    })),
    /** Automatic restart: counts against the budget; backoff grows with the restarts in the period. */
    scheduleRestart: assign(({ context }) => {
      const now = Date.now();
      const recent = restartsInPeriod(context, now);
      const delay = recent.length === 0 ? 0 : backoffDelay(context.config, recent.length - 1);
      return { restartLog: [...recent, now], restartAt: now + delay };
    }),
    /** Operator restart: immediate and free. */
    scheduleImmediateRestart: assign({ restartAt: () => Date.now() }),
    clearRestart: assign({ restartAt: null }),
    /** A worker's own stuck reason wins; a failed probe keeps the reason it was stuck for. */
    enterStuck: assign(({ context, event }) => {
      const esc = escalationOf(event);
      const fallback = context.probation && context.stuckReason ? context.stuckReason : 'restart budget exhausted';
      return { stuckReason: esc.kind === 'stuck' ? esc.reason : fallback, probation: false };
    }),
    armStuckRetry: assign(({ context }) => ({
      stuckRetryAt:
        context.config.stuckRetryMs > 0 && !NOT_RETRYABLE.has(context.stuckReason ?? '')
          ? Date.now() + context.config.stuckRetryMs
          : null,
    })),
    clearStuckRetry: assign({ stuckRetryAt: null }),
    startProbation: assign({ probation: true }),
    leaveStuck: assign({ stuckReason: null, probation: false }),
    requestWipe: assign({ wipeAuthOnStart: true, me: null }),
    forgetMe: assign({ me: null }),
    noteRestriction: assign(({ event }) =>
      event.type === 'ACCOUNT.RESTRICTED'
        ? { restriction: { kind: event.kind, until: event.until, detail: event.detail, since: Date.now() } }
        : {},
    ),
    clearRestriction: assign({ restriction: null }),
    forgetHistory: assign(() => ({
      restartLog: [],
      stuckReason: null,
      probation: false,
      degradedSince: Date.now(),
      degradedReason: 'reset by operator',
    })),
    onOpen: assign(({ event }) =>
      event.type === 'CONNECTION.OPEN'
        ? {
            me: event.me,
            qr: null,
            degradedSince: null,
            degradedReason: null,
            probation: false,
            stuckReason: null,
            wipeAuthOnStart: false,
          }
        : {},
    ),
    onQr: assign(({ event }) =>
      event.type === 'CONNECTION.QR' ? { qr: event.qr, me: null, wipeAuthOnStart: false } : {},
    ),
    onDegraded: assign(({ context, event }) => {
      if (event.type !== 'CONNECTION.DEGRADED') return {};
      const now = Date.now();
      return {
        degradedSince: context.degradedSince ?? now,
        degradedReason: event.reason,
        lastDisconnect: event.code !== undefined ? { code: event.code, reason: event.reason, at: now } : context.lastDisconnect,
        me: event.unlinked ? null : context.me,
      };
    }),
    forwardToConnection: forwardTo('connection'),
  },
  guards: {
    escalatedToStuck: ({ event }) => escalationOf(event).kind === 'stuck',
    onProbation: ({ context }) => context.probation,
    /** OTP intensity/period: at most `restartIntensity` automatic restarts inside `restartPeriodMs`. */
    withinRestartBudget: ({ context }) =>
      restartsInPeriod(context, Date.now()).length < context.config.restartIntensity,
    stuckRetryArmed: ({ context }) => context.stuckRetryAt !== null,
  },
  delays: {
    restartDelay: ({ context }) => msUntil(context.restartAt, Date.now()),
    stuckRetry: ({ context }) => msUntil(context.stuckRetryAt, Date.now()),
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => {
    const now = Date.now();
    return {
      config: input.config,
      since: now,
      // Booting counts as an outage: the grace period starts now.
      degradedSince: now,
      degradedReason: 'starting',
      restartLog: [],
      restartAt: null,
      stuckReason: null,
      stuckRetryAt: null,
      probation: false,
      wipeAuthOnStart: false,
      lastEscalation: null,
      lastDisconnect: null,
      me: null,
      qr: null,
      restriction: null,
    };
  },
  initial: 'running',
  on: {
    RESET: { target: '.running', reenter: true, actions: ['forgetHistory', 'clearRestart', 'clearStuckRetry', 'clearRestriction'] },
    // Account facts from the data path: kept in context in every state, never a transition.
    'ACCOUNT.RESTRICTED': { actions: 'noteRestriction' },
    'ACCOUNT.UNRESTRICTED': { actions: 'clearRestriction' },
  },
  states: {
    // A connection worker is alive and owns the socket; the public state is the worker's.
    running: {
      description: "A connection worker is alive and owns the socket; the public state is the worker's.",
      entry: 'stamp',
      invoke: {
        id: 'connection',
        systemId: 'connection',
        src: 'connection',
        input: ({ context }) => ({ config: context.config, wipeAuth: context.wipeAuthOnStart, me: context.me }),
        onDone: [
          { guard: 'escalatedToStuck', target: 'stuck', actions: ['noteEscalation', 'enterStuck'] },
          { guard: 'onProbation', target: 'stuck', actions: ['noteEscalation', 'enterStuck'] },
          {
            guard: 'withinRestartBudget',
            target: 'restarting',
            actions: ['noteEscalation', 'scheduleRestart', { type: 'markDegraded', params: { reason: 'restarting' } }],
          },
          { target: 'stuck', actions: ['noteEscalation', 'enterStuck'] },
        ],
        // A worker that throws is handled like one that asked for a restart, budget included.
        onError: [
          { guard: 'onProbation', target: 'stuck', actions: ['noteEscalation', 'enterStuck'] },
          {
            guard: 'withinRestartBudget',
            target: 'restarting',
            actions: ['noteEscalation', 'scheduleRestart', { type: 'markDegraded', params: { reason: 'restarting' } }],
          },
          { target: 'stuck', actions: ['noteEscalation', 'enterStuck'] },
        ],
      },
      on: {
        'CONNECTION.OPEN': { actions: 'onOpen' },
        'CONNECTION.QR': { actions: 'onQr' },
        'CONNECTION.DEGRADED': { actions: 'onDegraded' },
        RESTART: {
          target: 'restarting',
          actions: ['scheduleImmediateRestart', { type: 'markDegraded', params: { reason: 'restart by operator' } }],
        },
        // The worker unlinks the device: nobody is logged in from here on.
        LOGOUT: { actions: ['forwardToConnection', 'forgetMe'] },
        FORCE_RESYNC: { actions: 'forwardToConnection' },
        // Only an unpaired worker takes it (awaiting a QR or a code); elsewhere `accepts` says no.
        REQUEST_PAIRING_CODE: { actions: 'forwardToConnection' },
      },
    },
    // The worker was torn down; wait out the restart backoff so a crash loop cannot spin the CPU or the servers.
    restarting: {
      description: 'The worker was torn down; the restart backoff keeps a crash loop from spinning.',
      tags: ['degraded'],
      entry: 'stamp',
      exit: 'clearRestart',
      after: { restartDelay: 'running' },
      on: {
        RESTART: { target: 'running' },
        LOGOUT: { target: 'running', actions: 'requestWipe' },
      },
    },
    // Automatic recovery gave up (budget exhausted, replaced, forbidden): wait for an operator, probe slowly.
    stuck: {
      description: 'Automatic recovery gave up (budget, replaced, forbidden): an operator decides; slow probes.',
      tags: ['needs-operator'],
      entry: ['stamp', 'armStuckRetry'],
      exit: 'clearStuckRetry',
      after: {
        stuckRetry: { guard: 'stuckRetryArmed', target: 'running', actions: 'startProbation' },
      },
      on: {
        RESTART: { target: 'running', actions: 'leaveStuck' },
        // No socket is live here, so WhatsApp cannot be told to unlink us: the new worker wipes the auth state
        // locally first (the phone still lists the device until it is removed there).
        LOGOUT: { target: 'running', actions: ['leaveStuck', 'requestWipe'] },
      },
    },
  },
});

export type SupervisorActor = ActorRefFrom<typeof supervisorMachine>;
export type SupervisorSnapshot = SnapshotFrom<typeof supervisorMachine>;
