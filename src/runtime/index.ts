/**
 * The runtime: creates the actor system (supervisor → connection worker → engine), provides the real
 * implementations, and is the only thing the HTTP and MCP layers talk to. They send command events and
 * read the one status projection (machines/status.ts, re-exported here); they never see raw snapshots or
 * the socket.
 */
import { createActor, type InspectionEvent } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { AccountEvent, CommandEvent } from '../../machines/events.js';
import {
  accepts,
  computeHealth,
  projectStatus,
  summarize,
  type Health,
  type LifecycleStatus,
  type StatusSummary,
  type TreeSnapshot,
} from '../../machines/status.js';
import { supervisorMachine } from '../../machines/supervisor.machine.js';
import type { LifecycleConfig } from '../../machines/types.js';
import type { Logger } from '../logger.js';
import { engineActor, type EngineFactory } from './engine.js';
import { transitionDetail, transitionTracker, type TransitionDetail } from './transitions.js';

export { OPERATOR_COMMANDS, PUBLIC_STATES, retryInMs } from '../../machines/status.js';
export { attachEventStream, type EventStream, type EventStreamOptions } from './event-stream.js';
export type { Health, LifecycleStatus, PublicState, StatusSummary } from '../../machines/status.js';

export interface Transition extends TransitionDetail {
  actor: 'supervisor' | 'connection';
  event: string;
  from: string[];
  to: string[];
  at: number;
}

export type RuntimeChange =
  | { type: 'status'; status: LifecycleStatus; health: Health; summary: StatusSummary }
  | { type: 'transition'; transition: Transition };

export interface CommandResult {
  accepted: boolean;
  /** The status right after the command (or unchanged, when refused). */
  status: LifecycleStatus;
  summary: StatusSummary;
}

/** `/api/state` and the SSE stream's first event. */
export interface StateView {
  value: { supervisor: unknown; connection: unknown };
  context: StatusSummary;
  health: Health;
  timers: LifecycleStatus['deadlines'];
  since: number;
  recentTransitions: Transition[];
}

export interface Runtime {
  start(): void;
  send(command: CommandEvent): CommandResult;
  /** Account facts seen on the data path (a send refused with 463/429): kept by the supervisor, never refused. */
  report(event: AccountEvent): void;
  /** The projection including the QR string (for /api/qr and get_qr_code only). */
  getStatus(): LifecycleStatus;
  /** What every status surface shows (no QR string): state, health, authenticated, ready, commands… */
  getSummary(now?: number): StatusSummary;
  getHealth(now?: number): Health;
  getState(): StateView;
  subscribe(listener: (change: RuntimeChange) => void): () => void;
  machineJson(): { supervisor: unknown; connection: unknown };
  /** Resolves with the status once `predicate` holds, rejects after `timeoutMs`. */
  waitFor(predicate: (s: LifecycleStatus) => boolean, timeoutMs: number): Promise<LifecycleStatus>;
  stop(): void;
}

const TRANSITION_LOG_SIZE = 50;

export interface RuntimeOptions {
  lifecycle: LifecycleConfig;
  engine: EngineFactory;
  logger: Logger;
  /** `WA_EVENT_LOG=1`: log every lifecycle transition at info (otherwise at debug; state changes are info). */
  eventLog?: boolean;
}

export function createRuntime(opts: RuntimeOptions): Runtime {
  const log = opts.logger;
  const transitionLevel = opts.eventLog ? 'info' : 'debug';
  const listeners = new Set<(c: RuntimeChange) => void>();
  const recent: Transition[] = [];
  let lastStatusKey = '';
  let lastState: string | null = null;

  const machine = supervisorMachine.provide({
    actors: {
      connection: connectionMachine.provide({
        actors: { engine: engineActor(opts.engine, (err, command) => log.error({ err, command }, 'engine command failed')) },
      }),
    },
  });

  const emit = (change: RuntimeChange) => {
    for (const l of listeners) {
      try {
        l(change);
      } catch (err) {
        log.warn({ err }, 'runtime listener threw');
      }
    }
  };

  const track = transitionTracker((taken) => {
    const id = (taken.actorRef as { id?: string }).id;
    const actorName = taken.actorRef === actor ? 'supervisor' : id === 'connection' ? 'connection' : null;
    if (!actorName || taken.to.length === 0) return;
    const at = Date.now();
    const transition: Transition = { actor: actorName, event: taken.event.type, from: taken.from, to: taken.to, at, ...transitionDetail(taken, taken.after, at) };
    recent.push(transition);
    if (recent.length > TRANSITION_LOG_SIZE) recent.shift();
    log[transitionLevel]({ actor: actorName, event: transition.event, from: transition.from, to: transition.to }, 'transition');
    emit({ type: 'transition', transition });
  });

  const inspect = (ev: InspectionEvent) => {
    track(ev);
    // Any snapshot in the tree may move the public status (state, reason, deadlines): publish on change.
    if (ev.type === '@xstate.snapshot') queueMicrotask(publishStatus);
  };

  const actor = createActor(machine, { input: { config: opts.lifecycle }, inspect });

  const tree = (): TreeSnapshot => {
    const snap = actor.getSnapshot();
    const child = snap.children.connection;
    return { supervisor: snap, connection: child ? child.getSnapshot() : undefined };
  };

  const getStatus = () => projectStatus(tree(), Date.now());

  function publishStatus(): void {
    if (actor.getSnapshot().status !== 'active') return;
    const t = tree();
    const now = Date.now();
    const status = projectStatus(t, now);
    const key = JSON.stringify({ ...status, restartBudget: status.restartBudget.used });
    if (key === lastStatusKey) return;
    lastStatusKey = key;
    if (status.state !== lastState) {
      log.info({ state: status.state, from: lastState, reason: status.reason }, 'connection state changed');
      lastState = status.state;
    }
    emit({ type: 'status', status, health: computeHealth(status, now), summary: summarize(t, now) });
  }

  return {
    start() {
      actor.start();
      actor.subscribe({ error: (err) => log.fatal({ err }, 'supervisor failed') });
    },
    send(command) {
      // The same rule as the `commands` flags of the summary, so a button the UI enables is never a 409.
      const accepted = accepts(tree(), command);
      if (accepted) {
        log.info({ command: command.type }, 'command');
        actor.send(command);
      }
      const t = tree();
      const now = Date.now();
      return { accepted, status: projectStatus(t, now), summary: summarize(t, now) };
    },
    report(event) {
      log.info(event.type === 'ACCOUNT.RESTRICTED' ? { event: event.type, kind: event.kind, until: event.until } : { event: event.type }, 'account report');
      actor.send(event);
    },
    getStatus,
    getSummary: (now = Date.now()) => summarize(tree(), now),
    getHealth: (now = Date.now()) => computeHealth(getStatus(), now),
    getState() {
      const t = tree();
      const now = Date.now();
      const context = summarize(t, now);
      return {
        value: { supervisor: t.supervisor.value, connection: t.connection?.value ?? null },
        context,
        health: context.health,
        timers: context.deadlines,
        since: context.since,
        recentTransitions: [...recent],
      };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    machineJson: () => ({ supervisor: supervisorMachine.toJSON(), connection: connectionMachine.toJSON() }),
    waitFor(predicate, timeoutMs) {
      const now = getStatus();
      if (predicate(now)) return Promise.resolve(now);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for the connection state (now: ${getStatus().state})`));
        }, timeoutMs);
        const off = this.subscribe((c) => {
          if (c.type === 'status' && predicate(c.status)) {
            clearTimeout(timer);
            off();
            resolve(c.status);
          }
        });
      });
    },
    stop() {
      actor.stop();
      listeners.clear();
    },
  };
}
