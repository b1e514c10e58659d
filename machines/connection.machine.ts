/**
 * Connection worker: owns one WhatsApp session (a socket per attempt, one engine actor for its life).
 *
 *   connecting(handshake | awaiting-qr ⇄ awaiting-code | backoff) ──open──► open ⇄ soft-resync
 *        ▲                                                   │
 *        └──────────── closed (code table, SPEC §7) ─────────┘
 *
 * Whatever it cannot heal in place it hands upward: it stops in `escalated` with an {@link Escalation}
 * as output, and the supervisor decides between a full restart and stuck.
 *
 * Tags say what a state means for health (machines/status.ts): `healthy` (open, awaiting a scan), `degraded`
 * (healthy only inside the readiness grace), `ready` (sends go out). Every state has a `description`.
 *
 * Pure: the engine is the injected actor `engine` (a callback actor receiving {@link EngineCommand}s and
 * sending back engine events); time comes from `Date.now()`, which tests fake.
 */
import { and, assign, enqueueActions, fromCallback, sendParent, sendTo, setup, type ActorRefFrom } from 'xstate';
import type { CommandEvent, ConnectionReport, EngineCommand, EngineEvent } from './events.js';
import {
  backoffDelay,
  msUntil,
  type Disconnect,
  type Escalation,
  type LifecycleConfig,
  type Me,
  type PairingRequest,
} from './types.js';

export interface ConnectionInput {
  config: LifecycleConfig;
  /** Wipe the auth state before the first attempt (an operator logout while no socket was running). */
  wipeAuth?: boolean;
  /** Who the supervisor last knew us as (a restart keeps the device linked); ignored with `wipeAuth`. */
  me?: Me | null;
}

export interface ConnectionContext {
  config: LifecycleConfig;
  since: number;
  me: Me | null;
  qr: string | null;
  /** Reconnect attempts since the last open; drives the backoff exponent. */
  attempt: number;
  lastDisconnect: Disconnect | null;
  /**
   * The close that began the current outage (its `at` is when the outage started). Later closes of failed
   * attempts leave it alone: SPEC §7 lets this code, not the latest one, decide the watchdog's escalation.
   * Cleared by an open, a QR (a human is needed; no watchdog runs) and a logout.
   */
  outage: Disconnect | null;
  backoffUntil: number | null;
  watchdogAt: number | null;
  resyncDeadline: number | null;
  resyncCollection: string | null;
  /** App-state failure timestamps inside the recovery window. */
  syncFailures: number[];
  lastRecoveryAt: number | null;
  wipeAuthPending: boolean;
  escalation: Escalation | null;
  /** The link-by-phone-number request on the current unpaired socket (issue #14); null when none. */
  pairing: PairingRequest | null;
  /** Requests made so far (ids for `pairing`). */
  pairingRequests: number;
}

export type ConnectionEvent = EngineEvent | CommandEvent;

/** What a state means for health: see machines/status.ts. */
export type ConnectionTag = 'healthy' | 'degraded' | 'ready';

/** Placeholder engine: the runtime provides the Baileys adapter, tests a scripted engine. */
const unprovidedEngine = fromCallback<EngineCommand>(() => {
  throw new Error('connection machine: the "engine" actor must be provided');
});

const isClose = (e: ConnectionEvent): e is Extract<EngineEvent, { type: 'ENGINE.CLOSED' }> => e.type === 'ENGINE.CLOSED';
const closeCode = (e: ConnectionEvent) => (isClose(e) ? e.code : undefined);

const STUCK_CODES: Record<number, string> = {
  440: 'replaced',
  403: 'forbidden',
  411: 'multi-device mismatch',
};

function stuckEscalation({ event }: { event: ConnectionEvent }): Escalation {
  const code = closeCode(event) ?? 0;
  return { kind: 'stuck', reason: STUCK_CODES[code] ?? `closed (${code})`, code };
}

function failuresInWindow(ctx: ConnectionContext, now: number): number[] {
  return ctx.syncFailures.filter((t) => now - t < ctx.config.syncRecoveryWindowMs);
}

const connectionSetup = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
    output: {} as Escalation,
    tags: {} as ConnectionTag,
  },
  actors: { engine: unprovidedEngine },
  actions: {
    stamp: assign({ since: () => Date.now() }),
    /** Start a socket attempt; a pending auth wipe (401, logout while down) goes first, in order. */
    connectEngine: enqueueActions(({ context, enqueue }) => {
      if (context.wipeAuthPending) {
        enqueue.sendTo('engine', { type: 'WIPE_AUTH' } satisfies EngineCommand);
        enqueue.assign({ wipeAuthPending: false, me: null });
      }
      enqueue.sendTo('engine', { type: 'CONNECT' } satisfies EngineCommand);
    }),
    logoutEngine: sendTo('engine', { type: 'LOGOUT' } satisfies EngineCommand),
    resyncEngine: sendTo('engine', ({ context }): EngineCommand => ({
      type: 'RESYNC',
      collection: context.resyncCollection ?? 'all',
    })),
    recordClose: assign(({ context, event }) => {
      if (!isClose(event)) return {};
      const now = Date.now();
      const close = { code: event.code, reason: event.reason, at: now };
      return {
        lastDisconnect: close,
        outage: context.outage ?? close,
        // The watchdog measures from the first close since the last open; later closes do not push it back.
        watchdogAt: context.watchdogAt ?? now + context.config.disconnectRecoveryDelayMs,
      };
    }),
    scheduleBackoff: assign(({ context }) => ({
      backoffUntil: Date.now() + backoffDelay(context.config, context.attempt),
      attempt: context.attempt + 1,
    })),
    clearBackoff: assign({ backoffUntil: null }),
    rearmWatchdog: assign(({ context }) => ({ watchdogAt: Date.now() + context.config.disconnectRecoveryDelayMs })),
    markWipeAuth: assign({ wipeAuthPending: true, me: null }),
    forgetSession: assign({ me: null, watchdogAt: null, outage: null, backoffUntil: null, attempt: 0 }),
    /** A QR means the device is not linked (also when one arrives while open: the server unlinked us). */
    rememberQr: assign(({ event }) => (event.type === 'ENGINE.QR' ? { qr: event.qr, me: null, watchdogAt: null, outage: null } : {})),
    rememberOpen: assign(({ event }) =>
      event.type === 'ENGINE.OPEN'
        ? { me: event.me, qr: null, attempt: 0, watchdogAt: null, outage: null, backoffUntil: null, pairing: null }
        : {},
    ),
    /** Ask the engine for a link code; the request waits in context for its one answer. */
    requestPairingCode: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'REQUEST_PAIRING_CODE') return;
      const id = context.pairingRequests + 1;
      enqueue.assign({
        pairingRequests: id,
        pairing: { id, phone: event.phone, requestedAt: Date.now(), code: null, error: null },
      });
      enqueue.sendTo('engine', { type: 'PAIRING_CODE', phone: event.phone } satisfies EngineCommand);
    }),
    rememberPairingCode: assign(({ context, event }) =>
      event.type === 'ENGINE.PAIRING_CODE' && context.pairing ? { pairing: { ...context.pairing, code: event.code } } : {},
    ),
    failPairing: assign(({ context, event }) =>
      event.type === 'ENGINE.PAIRING_CODE_FAILED' && context.pairing
        ? { pairing: { ...context.pairing, code: null, error: event.error } }
        : {},
    ),
    /** A code is bound to the socket it was requested on: a new attempt starts without one. */
    forgetPairing: assign({ pairing: null }),
    recordSyncFailure: assign(({ context }) => {
      const now = Date.now();
      return { syncFailures: [...failuresInWindow(context, now), now] };
    }),
    beginResync: assign(({ context, event }) => {
      const now = Date.now();
      const collection =
        event.type === 'ENGINE.APP_STATE_FAILURE' || event.type === 'FORCE_RESYNC' ? (event.collection ?? null) : null;
      return {
        resyncCollection: collection,
        lastRecoveryAt: now,
        resyncDeadline: now + context.config.resyncReconnectDelayMs,
      };
    }),
    endResync: assign({ resyncDeadline: null, resyncCollection: null }),
    escalate: assign((_, params: Escalation) => ({ escalation: params })),
    reportOpen: sendParent(({ context }): ConnectionReport => ({ type: 'CONNECTION.OPEN', me: context.me ?? { id: '' } })),
    reportQr: sendParent(({ context }): ConnectionReport => ({ type: 'CONNECTION.QR', qr: context.qr ?? '' })),
    /**
     * `fromClose`: the degradation is a socket close (its code becomes the last disconnect upstream).
     * `unlinked`: the pairing is gone (401), so the supervisor forgets who we were.
     */
    reportDegraded: sendParent(({ context }, params: { reason: string; fromClose?: boolean; unlinked?: boolean }): ConnectionReport => ({
      type: 'CONNECTION.DEGRADED',
      reason: params.reason,
      code: params.fromClose === false ? undefined : context.lastDisconnect?.code,
      ...(params.unlinked ? { unlinked: true } : {}),
    })),
  },
  guards: {
    selfInflicted: ({ event }) => isClose(event) && event.selfInflicted,
    isRestartRequired: ({ event }) => closeCode(event) === 515,
    isLoggedOut: ({ event }) => closeCode(event) === 401,
    isStuckCode: ({ event }) => {
      const code = closeCode(event);
      return code !== undefined && code in STUCK_CODES;
    },
    watchdogDue: ({ context }) => context.watchdogAt !== null && Date.now() >= context.watchdogAt,
    /** The close that began the outage (not the latest one) is listed for a full restart (SPEC §7). */
    outageNeedsRestart: ({ context }) =>
      context.outage !== null && context.config.disconnectRecoveryRestartCodes.includes(context.outage.code),
    /** This failure would be one more than the soft-recovery ladder allows inside the window. */
    overSoftLimit: ({ context }) =>
      failuresInWindow(context, Date.now()).length + 1 > context.config.syncSoftRecoveryLimit,
    inCooldown: ({ context }) =>
      context.lastRecoveryAt !== null && Date.now() - context.lastRecoveryAt < context.config.syncRecoveryCooldownMs,
    resyncReconnect: ({ context }) => context.config.resyncReconnect,
    /**
     * One link-code request at a time: Baileys keeps only the newest code, so an answer to an older request
     * could show a code that no longer works.
     */
    noPairingPending: ({ context }) => !(context.pairing && context.pairing.code === null && context.pairing.error === null),
    /** The engine's answer belongs to the request waiting for it. */
    answersPairing: ({ context, event }) =>
      (event.type === 'ENGINE.PAIRING_CODE' || event.type === 'ENGINE.PAIRING_CODE_FAILED') &&
      context.pairing !== null &&
      context.pairing.code === null &&
      context.pairing.error === null &&
      context.pairing.phone === event.phone,
  },
  delays: {
    backoff: ({ context }) => msUntil(context.backoffUntil, Date.now()),
    watchdog: ({ context }) => msUntil(context.watchdogAt, Date.now()),
    resyncTimeout: ({ context }) => msUntil(context.resyncDeadline, Date.now()),
  },
});

/**
 * Transitions shared by every state that has a session (connecting, open, soft-resync). Targets are absolute
 * and `reenter: true`, so from inside `connecting` the state is re-entered and its watchdog timer re-armed
 * from the (fixed) deadline, while the root (and with it the engine actor) is never exited.
 */
const sessionEvents = {
  'ENGINE.CLOSED': [
    // A close the service caused itself (restart, resync reconnect, logout) is already being handled.
    { guard: 'selfInflicted' },
    // 515 restart-required is the normal step after pairing: reconnect at once with the same auth.
    {
      guard: 'isRestartRequired',
      target: '#connection.connecting.handshake',
      reenter: true,
      actions: ['recordClose', { type: 'reportDegraded', params: { reason: 'restart required (515)' } }],
    },
    // 401 logged out: the pairing is gone; wipe auth only and show a fresh QR.
    {
      guard: 'isLoggedOut',
      target: '#connection.connecting.handshake',
      reenter: true,
      actions: ['recordClose', 'markWipeAuth', { type: 'reportDegraded', params: { reason: 'logged out (401)', unlinked: true } }],
    },
    // 440 replaced / 403 / 411: reconnecting would fight another instance or a ban; hand up to stuck.
    {
      guard: 'isStuckCode',
      target: '#connection.escalated',
      actions: ['recordClose', { type: 'escalate', params: stuckEscalation }],
    },
    // 428/408/503/500 and anything unknown: transient; reconnect after a jittered exponential backoff.
    {
      target: '#connection.connecting.backoff',
      reenter: true,
      actions: [
        'recordClose',
        'scheduleBackoff',
        { type: 'reportDegraded', params: ({ event }: { event: ConnectionEvent }) => ({ reason: `closed (${closeCode(event)})` }) },
      ],
    },
  ],
  LOGOUT: {
    target: '#connection.connecting.handshake',
    reenter: true,
    actions: ['logoutEngine', 'forgetSession'],
  },
} as const;

const syncEscalation = {
  guard: 'overSoftLimit',
  target: '#connection.escalated',
  actions: ['recordSyncFailure', { type: 'escalate', params: { kind: 'restart', reason: 'app-state sync failing repeatedly' } }],
} as const;

export const connectionMachine = connectionSetup.createMachine({
  id: 'connection',
  context: ({ input }) => ({
    config: input.config,
    since: Date.now(),
    me: input.wipeAuth ? null : (input.me ?? null),
    qr: null,
    attempt: 0,
    lastDisconnect: null,
    outage: null,
    backoffUntil: null,
    watchdogAt: null,
    resyncDeadline: null,
    resyncCollection: null,
    syncFailures: [],
    lastRecoveryAt: null,
    wipeAuthPending: input.wipeAuth ?? false,
    escalation: null,
    pairing: null,
    pairingRequests: 0,
  }),
  // The engine lives as long as this worker: stopping the worker ends its socket. An engine that crashes
  // (throws while starting, or reports a failed command) is a worker failure: ask for a full restart, which
  // the supervisor counts against the restart budget.
  invoke: {
    id: 'engine',
    systemId: 'engine',
    src: 'engine',
    onError: {
      target: '.escalated',
      actions: { type: 'escalate', params: { kind: 'restart', reason: 'engine crashed' } },
    },
  },
  on: {
    'ENGINE.FAILED': {
      target: '.escalated',
      actions: {
        type: 'escalate',
        params: ({ event }: { event: ConnectionEvent }) => ({
          kind: 'restart' as const,
          reason: event.type === 'ENGINE.FAILED' ? `engine crashed (${event.command} failed)` : 'engine crashed',
        }),
      },
    },
  },
  initial: 'connecting',
  states: {
    // No usable socket yet: an attempt is running, waiting for a scan, or scheduled after a backoff.
    connecting: {
      description: 'No usable socket yet: an attempt is running, a QR waits for a scan, or a backoff runs.',
      entry: 'stamp',
      initial: 'handshake',
      after: {
        // Disconnect watchdog (SPEC §7): not open again in time → restart when the close that began the outage
        // has a listed code, else reconnect.
        watchdog: [
          {
            guard: and(['watchdogDue', 'outageNeedsRestart']),
            target: '#connection.escalated',
            actions: { type: 'escalate', params: { kind: 'restart', reason: 'not reconnected in time (watchdog)' } },
          },
          { guard: 'watchdogDue', target: '.handshake', reenter: true, actions: 'rearmWatchdog' },
        ],
      },
      states: {
        // A socket attempt is in flight (noise handshake, login).
        handshake: {
          description: 'A socket attempt is in flight (noise handshake, login).',
          tags: ['degraded'],
          entry: ['clearBackoff', 'forgetPairing', 'connectEngine'],
        },
        // Unpaired: a QR is showing and rotates; a human has to scan it, so no watchdog runs here.
        'awaiting-qr': {
          description: 'Unpaired: a rotating QR waits for a human to scan it, so no watchdog runs.',
          tags: ['healthy'],
          entry: 'reportQr',
          on: {
            // Link by phone number instead (issue #14): WhatsApp answers the request on this socket.
            REQUEST_PAIRING_CODE: { guard: 'noPairingPending', actions: 'requestPairingCode' },
            'ENGINE.PAIRING_CODE': { guard: 'answersPairing', target: 'awaiting-code', actions: 'rememberPairingCode' },
            'ENGINE.PAIRING_CODE_FAILED': { guard: 'answersPairing', actions: 'failPairing' },
          },
        },
        /*
         * Unpaired, linking by phone number (issue #14): an 8-character code waits to be typed on that phone.
         * A sub-state of its own because the human step and what the operator must see differ from a scan;
         * the public state stays `awaiting-qr` (machines/status.ts says why). The QR keeps rotating and stays
         * scannable, so a QR is remembered here without leaving; the code dies with this socket.
         */
        'awaiting-code': {
          description: 'Unpaired: a pairing code waits to be typed on the phone; it is bound to this socket.',
          tags: ['healthy'],
          on: {
            'ENGINE.QR': { actions: 'rememberQr' },
            // A new request (another number, a typo): Baileys keeps only the newest code.
            REQUEST_PAIRING_CODE: { guard: 'noPairingPending', actions: 'requestPairingCode' },
            'ENGINE.PAIRING_CODE': { guard: 'answersPairing', actions: 'rememberPairingCode' },
            // The replacement was refused: the previous code is gone too, so only the QR is left.
            'ENGINE.PAIRING_CODE_FAILED': { guard: 'answersPairing', target: 'awaiting-qr', actions: 'failPairing' },
          },
        },
        // Transient close: wait out the jittered backoff before the next attempt.
        backoff: {
          description: 'A transient close: wait out the jittered backoff before the next attempt.',
          tags: ['degraded'],
          entry: 'forgetPairing',
          after: { backoff: 'handshake' },
        },
      },
      on: {
        ...sessionEvents,
        'ENGINE.QR': { target: '.awaiting-qr', actions: 'rememberQr' },
        'ENGINE.OPEN': { target: 'open', actions: 'rememberOpen' },
      },
    },
    // Logged in: messages flow; app-state failures are repaired on the socket where possible.
    open: {
      description: 'Logged in: messages flow; app-state failures are repaired on the socket where possible.',
      tags: ['healthy', 'ready'],
      entry: ['stamp', 'reportOpen'],
      on: {
        ...sessionEvents,
        'ENGINE.APP_STATE_FAILURE': [
          syncEscalation,
          // One recovery per cooldown: a failure inside it is counted, not acted on.
          { guard: 'inCooldown', actions: 'recordSyncFailure' },
          { target: 'soft-resync', actions: ['recordSyncFailure', 'beginResync'] },
        ],
        FORCE_RESYNC: { target: 'soft-resync', actions: 'beginResync' },
        'ENGINE.QR': { target: 'connecting.awaiting-qr', actions: 'rememberQr' },
      },
    },
    // A corrupt app-state collection: reset and resync it while the socket stays up (cheaper than a restart).
    'soft-resync': {
      description: 'A corrupt app-state collection is reset and resynced while the socket stays up.',
      tags: ['degraded'],
      entry: ['stamp', 'resyncEngine', { type: 'reportDegraded', params: { reason: 'app-state resync', fromClose: false } }],
      exit: 'endResync',
      after: {
        resyncTimeout: [
          { guard: 'resyncReconnect', target: 'connecting.handshake' },
          { target: 'open' },
        ],
      },
      on: {
        ...sessionEvents,
        'ENGINE.RESYNC_DONE': 'open',
        'ENGINE.RESYNC_FAILED': [{ guard: 'resyncReconnect', target: 'connecting.handshake' }, { target: 'open' }],
        'ENGINE.APP_STATE_FAILURE': [syncEscalation, { actions: 'recordSyncFailure' }],
      },
    },
    // Terminal: the worker could not heal this; its output tells the supervisor why.
    escalated: {
      description: 'Terminal: the worker cannot heal this; its output tells the supervisor why.',
      tags: ['degraded'],
      type: 'final',
      entry: 'stamp',
    },
  },
  output: ({ context }) => context.escalation ?? { kind: 'restart', reason: 'connection ended' },
});

export type ConnectionActor = ActorRefFrom<typeof connectionMachine>;
