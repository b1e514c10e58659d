/**
 * The engine port: what the connection machine's injected `engine` actor needs from a WhatsApp client.
 * The Baileys adapter implements it; tests use scripted engines. Adapters turn their own callbacks into
 * {@link EngineEvent}s and never throw out of a timer: failures are reported as events.
 */
import { fromCallback } from 'xstate';
import type { EngineCommand, EngineEvent } from '../../machines/events.js';

export interface EngineDriver {
  /** Handle one command. Commands are awaited one at a time, in order (never two sockets at once). */
  handle(command: EngineCommand): Promise<void> | void;
  /** End the live socket and release everything; called when the worker stops. */
  dispose(): Promise<void> | void;
}

/** Builds a driver for one connection worker; `emit` reports engine events to the machine. */
export type EngineFactory = (emit: (event: EngineEvent) => void) => EngineDriver;

/**
 * Wraps a driver factory as the callback actor the connection machine invokes. Commands are serialised
 * through a promise chain; a command that throws is reported as a crash (`ENGINE.CLOSED` 500 is not enough:
 * the machine must know its engine is broken), which the worker escalates to a supervised restart.
 */
export function engineActor(factory: EngineFactory, onCrash: (err: unknown) => void = () => {}) {
  return fromCallback<EngineCommand>(({ sendBack, receive }) => {
    let disposed = false;
    const emit = (event: EngineEvent) => {
      if (!disposed) sendBack(event);
    };
    const driver = factory(emit);
    let chain: Promise<void> = Promise.resolve();
    receive((command) => {
      chain = chain
        .then(() => (disposed ? undefined : driver.handle(command)))
        .catch((err: unknown) => {
          onCrash(err);
          // Surface as a transient close so the machine's close table recovers; the adapter logs the cause.
          emit({ type: 'ENGINE.CLOSED', code: 500, reason: `engine command ${command.type} failed`, selfInflicted: false });
        });
    });
    return () => {
      disposed = true;
      chain = chain.then(() => driver.dispose()).catch(onCrash);
    };
  });
}

/** An engine that never connects: used when no WhatsApp backend is configured (state stays `connecting`). */
export const idleEngine: EngineFactory = () => ({ handle: () => {}, dispose: () => {} });
