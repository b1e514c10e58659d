/**
 * The engine port's actor (src/runtime/engine.ts) on its own: commands run one at a time in order, a
 * command that rejects is reported once as ENGINE.FAILED (a crash, never a synthetic close), and the
 * commands queued behind it are dropped. Then the same failure through the real runtime: a supervised
 * restart that uses the restart budget.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { assign, createActor, sendTo, setup } from 'xstate';
import type { EngineCommand, EngineEvent } from '../../machines/events.js';
import { DEFAULT_LIFECYCLE_CONFIG } from '../../machines/types.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime/index.js';
import { engineActor, type EngineDriver, type EngineFactory } from '../../src/runtime/engine.js';
import { eventually } from '../helpers/app.js';

/** A parent that forwards `cmd` events to the invoked engine and records what the engine sends back. */
function host(factory: EngineFactory, crashes: Array<{ err: unknown; command: string }> = []) {
  const machine = setup({
    types: { context: {} as { received: EngineEvent[] }, events: {} as EngineEvent | { type: 'cmd'; command: EngineCommand } },
    actors: { engine: engineActor(factory, (err, command) => crashes.push({ err, command })) },
  }).createMachine({
    context: { received: [] },
    invoke: { id: 'engine', src: 'engine' },
    on: {
      cmd: { actions: sendTo('engine', ({ event }) => (event.type === 'cmd' ? event.command : { type: 'END', reason: 'never' })) },
      '*': { actions: assign({ received: ({ context, event }) => [...context.received, event as EngineEvent] }) },
    },
  });
  const actor = createActor(machine);
  actor.start();
  return {
    actor,
    send: (command: EngineCommand) => actor.send({ type: 'cmd', command }),
    received: () => actor.getSnapshot().context.received,
  };
}

/** A driver whose commands resolve when the test says so; records start/finish order. */
function gatedDriver() {
  const log: string[] = [];
  const gates = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  let disposed = 0;
  const factory: EngineFactory = () => {
    const driver: EngineDriver = {
      handle: (cmd) =>
        new Promise<void>((resolve, reject) => {
          log.push(`start ${cmd.type}`);
          gates.set(cmd.type, {
            resolve: () => {
              log.push(`end ${cmd.type}`);
              resolve();
            },
            reject,
          });
        }),
      dispose: () => {
        disposed++;
      },
    };
    return driver;
  };
  return {
    factory,
    log,
    gate: (type: string) => gates.get(type),
    get disposed() {
      return disposed;
    },
  };
}

describe('engineActor', () => {
  it('runs commands one at a time, in order', async () => {
    const d = gatedDriver();
    const h = host(d.factory);
    h.send({ type: 'WIPE_AUTH' });
    h.send({ type: 'CONNECT' });
    await eventually(() => d.gate('WIPE_AUTH'));
    // CONNECT waits for WIPE_AUTH: never two sockets, never a connect on half-wiped auth.
    expect(d.log).toEqual(['start WIPE_AUTH']);
    d.gate('WIPE_AUTH')!.resolve();
    await eventually(() => d.gate('CONNECT'));
    expect(d.log).toEqual(['start WIPE_AUTH', 'end WIPE_AUTH', 'start CONNECT']);
    h.actor.stop();
  });

  it('reports a rejected command once as ENGINE.FAILED (a crash, not a close) and drops the commands behind it', async () => {
    const d = gatedDriver();
    const crashes: Array<{ err: unknown; command: string }> = [];
    const h = host(d.factory, crashes);
    h.send({ type: 'CONNECT' });
    h.send({ type: 'RESYNC', collection: 'regular' });
    h.send({ type: 'END', reason: 'x' });
    await eventually(() => d.gate('CONNECT'));
    d.gate('CONNECT')!.reject(new Error('auth store unreadable'));
    await eventually(() => h.received().length > 0);
    expect(h.received()).toEqual([{ type: 'ENGINE.FAILED', command: 'CONNECT', error: 'auth store unreadable' }]);
    expect(h.received().some((e) => e.type === 'ENGINE.CLOSED')).toBe(false);
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toMatchObject({ command: 'CONNECT' });
    // The queued RESYNC and END never reach the broken driver.
    h.actor.stop();
    await eventually(() => d.disposed === 1);
    expect(d.log).toEqual(['start CONNECT']);
  });

  it('delivers nothing after the worker stopped, and disposes the driver after its running command', async () => {
    const d = gatedDriver();
    let emit: ((e: EngineEvent) => void) | null = null;
    const h = host((e) => {
      emit = e;
      return d.factory(e);
    });
    h.send({ type: 'CONNECT' });
    await eventually(() => d.gate('CONNECT'));
    h.actor.stop();
    emit!({ type: 'ENGINE.OPEN', me: { id: 'x@s.whatsapp.net' } });
    expect(d.disposed).toBe(0);
    d.gate('CONNECT')!.resolve();
    await eventually(() => d.disposed === 1);
    expect(h.received()).toEqual([]);
  });
});

describe('a failing engine command in the running system', () => {
  let runtime: Runtime | undefined;
  afterEach(() => runtime?.stop());

  it('restarts the worker with a fresh driver and uses the restart budget', async () => {
    let drivers = 0;
    const factory: EngineFactory = () => {
      drivers++;
      const first = drivers === 1;
      return {
        handle: (cmd) => (first && cmd.type === 'CONNECT' ? Promise.reject(new Error('socket could not be built')) : undefined),
        dispose: () => {},
      };
    };
    runtime = createRuntime({ lifecycle: { ...DEFAULT_LIFECYCLE_CONFIG, restartIntensity: 3 }, engine: factory, logger: silentLogger() });
    runtime.start();
    await eventually(() => drivers === 2);
    const s = runtime.getStatus();
    expect(s.state).toBe('connecting');
    expect(s.restartBudget.used).toBe(1);
    expect(runtime.getState().recentTransitions.map((t) => t.event)).toContain('ENGINE.FAILED');
  });
});
