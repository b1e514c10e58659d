/**
 * The engine port: what the connection machine's injected `engine` actor needs from a WhatsApp client. It
 * lives with the runtime that drives it; the adapters (src/whatsapp/) implement it.
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
 * through a promise chain.
 *
 * A command that rejects is a crash, not a close. Adapters report every failure they expect as an event
 * (a dropped socket is `ENGINE.CLOSED`, a failed resync `ENGINE.RESYNC_FAILED`); what still escapes
 * `handle` is a local fault (the auth store cannot be read or written, the socket cannot be built). A
 * synthetic transient close would hide that: it pretends a socket closed that may still be up, and the
 * close table would retry it forever with no budget. As `ENGINE.FAILED` the worker escalates to a
 * supervised restart (fresh driver), counted against the restart budget, and ends in `stuck` with a reason
 * when it keeps failing. Commands queued behind the failure are dropped: the driver is not trusted again.
 */
export function engineActor(factory: EngineFactory, onCrash: (err: unknown, command: EngineCommand['type'] | 'dispose') => void = () => {}) {
  return fromCallback<EngineCommand>(({ sendBack, receive }) => {
    let disposed = false;
    let broken = false;
    const emit = (event: EngineEvent) => {
      if (!disposed) sendBack(event);
    };
    const driver = factory(emit);
    let chain: Promise<void> = Promise.resolve();
    receive((command) => {
      chain = chain
        .then(() => (disposed || broken ? undefined : driver.handle(command)))
        .catch((err: unknown) => {
          broken = true;
          onCrash(err, command.type);
          emit({ type: 'ENGINE.FAILED', command: command.type, error: err instanceof Error ? err.message : String(err) });
        });
    });
    return () => {
      disposed = true;
      chain = chain.then(() => driver.dispose()).catch((err: unknown) => onCrash(err, 'dispose'));
    };
  });
}

/** An engine that never connects: used when no WhatsApp backend is configured (state stays `connecting`). */
export const idleEngine: EngineFactory = () => ({ handle: () => {}, dispose: () => {} });
