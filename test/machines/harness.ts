/**
 * Drives the real supervisor tree with a scripted engine: the test plays the engine's part (emits engine
 * events) and reads back the commands the machines sent it. Time is vitest's fake clock.
 */
import { createActor, fromCallback, type AnyStateMachine } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { EngineCommand, EngineEvent, CommandEvent, AccountEvent } from '../../machines/events.js';
import { computeHealth, projectStatus, type TreeSnapshot } from '../../machines/status.js';
import { supervisorMachine } from '../../machines/supervisor.machine.js';
import { DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig } from '../../machines/types.js';
import { transitionTracker } from '../../src/runtime/transitions.js';

/** Every transition definition taken by any harness in this process, keyed `source|event|branch`. */
export const takenTransitions = new Set<string>();

/** Records taken transition definitions through the public inspection API (src/runtime/transitions.ts). */
const record = transitionTracker((taken) => {
  for (const { definition, branch } of taken.definitions) takenTransitions.add(`${definition.source.id}|${definition.eventType}|${branch}`);
});

/** All transition definitions of a machine, keyed like {@link takenTransitions}. */
export function allTransitions(machine: AnyStateMachine): string[] {
  const keys: string[] = [];
  const visit = (node: { id: string; transitions: Map<string, unknown[]>; states: Record<string, unknown> }) => {
    for (const [eventType, list] of node.transitions) {
      list.forEach((_, i) => keys.push(`${node.id}|${eventType}|${i}`));
    }
    for (const child of Object.values(node.states)) visit(child as typeof node);
  };
  visit(machine.root as unknown as Parameters<typeof visit>[0]);
  return keys;
}

export const testConfig = (over: Partial<LifecycleConfig> = {}): LifecycleConfig => ({
  ...DEFAULT_LIFECYCLE_CONFIG,
  backoffJitter: 0,
  ...over,
});

/** A connection worker whose every start fails, to exercise the supervisor's error branches. */
const crashingWorker = fromCallback(() => {
  throw new Error('worker crashed on start');
});

export function startTree(over: Partial<LifecycleConfig> = {}, opts: { crashingWorker?: boolean; engineThrowsOnStart?: boolean } = {}) {
  const config = testConfig(over);
  const commands: EngineCommand[] = [];
  let sendBack: ((e: EngineEvent) => void) | null = null;
  let engineStarts = 0;
  let failNext = false;
  const engine = fromCallback<EngineCommand>(({ sendBack: sb, receive }) => {
    engineStarts++;
    if (opts.engineThrowsOnStart) throw new Error('scripted engine crash on start');
    sendBack = sb as (e: EngineEvent) => void;
    receive((cmd) => {
      commands.push(cmd);
      // What src/runtime/engine.ts reports for a command whose handler rejected (synchronously here).
      if (failNext) {
        failNext = false;
        sb({ type: 'ENGINE.FAILED', command: cmd.type, error: 'scripted failure' } satisfies EngineEvent);
      }
    });
    return () => {
      sendBack = null;
    };
  });
  const machine = supervisorMachine.provide({
    actors: { connection: opts.crashingWorker ? crashingWorker : connectionMachine.provide({ actors: { engine } }) },
  } as Parameters<typeof supervisorMachine.provide>[0]);
  const actor = createActor(machine, { input: { config }, inspect: record });
  actor.start();

  const tree = (): TreeSnapshot => {
    const snap = actor.getSnapshot();
    const child = snap.children.connection;
    return { supervisor: snap, connection: child ? child.getSnapshot() : undefined };
  };
  const status = () => projectStatus(tree(), Date.now());
  return {
    actor,
    config,
    commands,
    /** Commands since the last call (then cleared). */
    takeCommands(): string[] {
      return commands.splice(0).map((c) => c.type);
    },
    emit(e: EngineEvent): void {
      if (!sendBack) throw new Error('no engine running');
      sendBack(e);
    },
    send(e: CommandEvent | AccountEvent): void {
      actor.send(e);
    },
    /** The next command fails the way engineActor reports a rejected command (`ENGINE.FAILED`). */
    failEngineOnNextCommand(): void {
      failNext = true;
    },
    get engineStarts() {
      return engineStarts;
    },
    get engineRunning() {
      return sendBack !== null;
    },
    tree,
    status,
    state: () => status().state,
    health: () => computeHealth(status(), Date.now()),
    connectionValue: () => tree().connection?.value,
    open(id = '447700900001@s.whatsapp.net'): void {
      this.emit({ type: 'ENGINE.OPEN', me: { id, name: 'Test' } });
    },
    close(code: number, selfInflicted = false): void {
      this.emit({ type: 'ENGINE.CLOSED', code, reason: `code ${code}`, selfInflicted });
    },
    stop(): void {
      actor.stop();
    },
  };
}

export type Tree = ReturnType<typeof startTree>;
