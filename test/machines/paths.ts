/**
 * Lifecycle paths generated from the connection machine with `xstate/graph`, replayed on the real
 * supervised tree.
 *
 * The model is the worker alone (its reports to the supervisor are no-ops there) driven by engine events
 * and operator commands; timers are left to the hand-written scenarios, so the replay never advances the
 * clock. Two generators: the shortest path to every distinct (state, counters) pair, which reaches the
 * guarded branches of the soft-resync ladder, and every loop-free path between states.
 */
import { expect } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths, type StatePath } from 'xstate/graph';
import { connectionMachine, type ConnectionEvent } from '../../machines/connection.machine.js';
import { summarize } from '../../machines/status.js';
import type { PublicState } from '../../machines/types.js';
import { startTree, testConfig, type Tree } from './harness.js';

type ModelSnapshot = ReturnType<typeof connectionMachine.getInitialSnapshot>;
export type LifecyclePath = StatePath<ModelSnapshot, ConnectionEvent>;

const QR = 'qr-secret-ref';
const PHONE = '447700900001';
const CODE = 'SECR3TCD';
const close = (code: number, selfInflicted = false): ConnectionEvent => ({ type: 'ENGINE.CLOSED', code, reason: `code ${code}`, selfInflicted });

/** One of each kind of thing the outside world can do to a worker (the close table's classes, not every code). */
export const MODEL_EVENTS: ConnectionEvent[] = [
  { type: 'ENGINE.CONNECTING' },
  { type: 'ENGINE.QR', qr: QR },
  { type: 'ENGINE.OPEN', me: { id: '447700900001@s.whatsapp.net', name: 'Test' } },
  close(515),
  close(401),
  close(440),
  close(403),
  close(428),
  close(428, true),
  { type: 'ENGINE.APP_STATE_FAILURE', collection: 'regular_high', detail: 'failed to find key' },
  { type: 'ENGINE.RESYNC_DONE', collection: 'regular_high' },
  { type: 'ENGINE.RESYNC_FAILED', collection: 'regular_high', error: 'boom' },
  { type: 'ENGINE.FAILED', command: 'CONNECT', error: 'boom' },
  { type: 'FORCE_RESYNC' },
  { type: 'LOGOUT' },
  { type: 'REQUEST_PAIRING_CODE', phone: PHONE },
  { type: 'ENGINE.PAIRING_CODE', phone: PHONE, code: CODE },
  { type: 'ENGINE.PAIRING_CODE_FAILED', phone: PHONE, error: 'refused' },
];

const model = connectionMachine.provide({ actions: { reportOpen: () => {}, reportQr: () => {}, reportDegraded: () => {} } });
const config = testConfig();

function label(e: ConnectionEvent): string {
  const name = e.type.replace(/^ENGINE\./, '');
  return e.type === 'ENGINE.CLOSED' ? `${name} ${e.code}${e.selfInflicted ? ' (self)' : ''}` : name;
}

export function describePath(p: LifecyclePath): string {
  const steps = p.steps.slice(1).map((s) => label(s.event));
  return steps.length > 0 ? steps.join(' → ') : '(boot)';
}

let generated: { shortest: LifecyclePath[]; all: LifecyclePath[] } | null = null;

/**
 * The generated paths (memoised per process): `shortest` reaches every distinct (state, counters) class;
 * `all` adds every loop-free path between states, deduplicated by event sequence.
 */
export function lifecyclePaths(): { shortest: LifecyclePath[]; all: LifecyclePath[] } {
  if (generated) return generated;
  // A worker in its final state receives nothing more (the pure transition function would still answer).
  const stopWhen = (s: ModelSnapshot) => s.status === 'done';
  const shortest = getShortestPaths(model, {
    input: { config },
    events: MODEL_EVENTS,
    stopWhen,
    serializeState: (s) =>
      JSON.stringify([
        s.value,
        s.context.syncFailures.length,
        s.context.lastRecoveryAt !== null,
        s.context.me !== null,
        s.context.outage?.code ?? null,
        s.context.escalation?.kind ?? null,
        pairingClass(s.context.pairing),
      ]),
  });
  const simple = getSimplePaths(model, { input: { config }, events: MODEL_EVENTS, stopWhen, serializeState: (s) => JSON.stringify(s.value) });
  const byName = new Map<string, LifecyclePath>();
  for (const p of [...shortest, ...simple]) byName.set(describePath(p), p);
  generated = { shortest, all: [...byName.values()] };
  return generated;
}

/** Where a link-code request stands: none, waiting for WhatsApp, a code to type, or refused. */
function pairingClass(p: ModelSnapshot['context']['pairing']): string {
  if (!p) return 'none';
  return p.code !== null ? 'code' : p.error !== null ? 'error' : 'pending';
}

const awaiting = (value: unknown, sub: string) => typeof value === 'object' && value !== null && (value as Record<string, unknown>).connecting === sub;

/** SPEC §7's flattening, written out independently of machines/status.ts as the oracle (a code is awaited as `awaiting-qr`). */
function expectedPublicState(value: unknown): PublicState {
  if (value === 'open' || value === 'soft-resync') return value;
  if (awaiting(value, 'awaiting-qr') || awaiting(value, 'awaiting-code')) return 'awaiting-qr';
  return 'connecting';
}

function deliver(t: Tree, e: ConnectionEvent): void {
  if (e.type === 'LOGOUT' || e.type === 'FORCE_RESYNC' || e.type === 'RESTART' || e.type === 'RESET' || e.type === 'REQUEST_PAIRING_CODE') t.send(e);
  else t.emit(e);
}

/**
 * Replays `path` on a fresh supervised tree (fake clock not advanced) and checks after every step that the
 * tree is where the model says and that the status summary keeps its invariants. The expected state is the
 * model run along this very path (`xstate.transition`, pure): a path's step states are only representatives
 * of their serialized class, whose context may have been reached another way.
 */
export function replayPath(path: LifecyclePath): void {
  const t = startTree(config);
  let [m] = initialTransition(model, { config });
  try {
    for (const [i, step] of path.steps.entries()) {
      // Step 0 is the model's initial state (its event is xstate.init): nothing to deliver.
      if (i > 0) {
        deliver(t, step.event);
        [m] = transition(model, m, step.event);
      }
      expect(m.value, 'the path follows the model').toEqual(step.state.value);
      if (m.status === 'done') {
        // The worker escalated: the supervisor has left `running` the way the escalation asks.
        const s = summarize(t.tree(), Date.now());
        expect(s.state, `after step ${i}`).toBe(m.context.escalation?.kind === 'stuck' ? 'stuck' : 'restarting');
        expect(t.engineRunning, `after step ${i}`).toBe(false);
        // With no worker the supervisor speaks for it: it must not remember a device the worker unlinked.
        expect(s.me, `after step ${i}`).toEqual(m.context.me);
        expect(s.authenticated, `after step ${i}`).toBe(m.context.me !== null);
        expect(s.commands.FORCE_RESYNC, `after step ${i}`).toBe(false);
        continue;
      }
      const at = `after step ${i} (${i > 0 ? label(step.event) : 'boot'})`;
      expect(t.connectionValue(), at).toEqual(m.value);
      const s = summarize(t.tree(), Date.now());
      const state = expectedPublicState(m.value);
      expect(s.state, at).toBe(state);
      expect(s.authenticated, at).toBe(m.context.me !== null && state !== 'awaiting-qr');
      expect(s.me, at).toEqual(m.context.me);
      expect(s.qrAvailable, at).toBe(state === 'awaiting-qr');
      expect(s.ready, at).toBe(state === 'open');
      expect(s.condition, at).toBe(state === 'open' || state === 'awaiting-qr' ? 'healthy' : 'degraded');
      expect(s.health.ok, at).toBe(true); // no time passes: always inside the readiness grace
      expect(s.commands, at).toEqual({ RESTART: true, FORCE_RESYNC: state === 'open', LOGOUT: true, RESET: true });
      expect(JSON.stringify(s), at).not.toContain(QR);
      // Linking by phone number: requestable exactly while unpaired with no request in flight; the code
      // itself is never in a summary, only in the full projection while it is awaited.
      const pairing = pairingClass(m.context.pairing);
      expect(s.pairingCode, at).toEqual({
        requestable: state === 'awaiting-qr' && pairing !== 'pending',
        pending: pairing === 'pending',
        available: pairing === 'code',
        phone: m.context.pairing?.phone ?? null,
        error: m.context.pairing?.error ?? null,
      });
      // A code is only ever held in awaiting-code, which holds one or is replacing it.
      if (pairing === 'code') expect(awaiting(m.value, 'awaiting-code'), at).toBe(true);
      if (awaiting(m.value, 'awaiting-code')) expect(['code', 'pending'], at).toContain(pairing);
      expect(JSON.stringify(s), at).not.toContain(CODE);
      expect(t.status().pairing?.code ?? null, at).toBe(pairing === 'code' ? CODE : null);
    }
  } finally {
    t.stop();
  }
}
