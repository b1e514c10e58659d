/**
 * Every event the lifecycle machines understand, in one place.
 *
 * - Engine events come from the WhatsApp adapter (or a scripted engine in tests).
 * - Command events come from callers (MCP tools, HTTP API, the operator).
 * - Engine commands go the other way: what the connection machine asks the engine to do.
 *
 * Anything arriving from outside the process boundary is validated with these zod schemas at the edge
 * (`parseCommand`, `parseEngineEvent`); inside, the TypeScript unions are trusted.
 */
import { z } from 'zod';

export const EngineEventSchema = z.discriminatedUnion('type', [
  /** A new socket attempt started (noise handshake / login in progress). */
  z.object({ type: z.literal('ENGINE.CONNECTING') }),
  /** Unpaired: the engine has a QR string for the phone to scan (rotates). */
  z.object({ type: z.literal('ENGINE.QR'), qr: z.string().min(1) }),
  /** Logged in and usable. */
  z.object({
    type: z.literal('ENGINE.OPEN'),
    me: z.object({ id: z.string().min(1), name: z.string().optional(), lid: z.string().optional() }),
  }),
  /** The socket closed. `selfInflicted` is true when the service ended it (restart, resync, logout). */
  z.object({
    type: z.literal('ENGINE.CLOSED'),
    code: z.number().int(),
    reason: z.string(),
    selfInflicted: z.boolean(),
  }),
  /** Baileys reported that an app-state collection cannot be decoded (missing key, parked, gave up). */
  z.object({ type: z.literal('ENGINE.APP_STATE_FAILURE'), collection: z.string().min(1), detail: z.string() }),
  z.object({ type: z.literal('ENGINE.RESYNC_DONE'), collection: z.string().optional() }),
  z.object({ type: z.literal('ENGINE.RESYNC_FAILED'), collection: z.string().optional(), error: z.string() }),
  /**
   * A command failed in a way the adapter did not handle itself (it reports expected failures as the events
   * above): the engine is broken, and the worker escalates to a supervised restart.
   */
  z.object({ type: z.literal('ENGINE.FAILED'), command: z.string(), error: z.string() }),
]);
export type EngineEvent = z.infer<typeof EngineEventSchema>;

export const CommandSchema = z.discriminatedUnion('type', [
  /** Operator: end the socket and start a fresh connection (does not count against the restart budget). */
  z.object({ type: z.literal('RESTART') }),
  /** Operator: resync app state now, bypassing the cooldown. */
  z.object({ type: z.literal('FORCE_RESYNC'), collection: z.string().optional() }),
  /** Operator: unlink the device, wipe the auth state only, go back to awaiting a QR scan. */
  z.object({ type: z.literal('LOGOUT') }),
  /** Operator: forget failure history and restart budget, then start fresh. */
  z.object({ type: z.literal('RESET') }),
]);
export type CommandEvent = z.infer<typeof CommandSchema>;
export type CommandType = CommandEvent['type'];

/** What the connection machine asks the engine to do. Engines must process these in order. */
export type EngineCommand =
  | { type: 'CONNECT' } // end any live socket (self-inflicted), then open a new one with the same auth
  | { type: 'END'; reason: string } // end the live socket; its close is reported with selfInflicted: true
  | { type: 'RESYNC'; collection: string } // reset that collection's sync version and resync, socket stays up
  | { type: 'LOGOUT' } // unlink on the server if a socket is live, end it, wipe auth
  | { type: 'WIPE_AUTH' }; // wipe auth locally (no socket needed), e.g. after a 401

/** Events the connection machine reports to its parent (the supervisor). */
export type ConnectionReport =
  | { type: 'CONNECTION.OPEN'; me: { id: string; name?: string; lid?: string } }
  | { type: 'CONNECTION.DEGRADED'; reason: string; code?: number }
  | { type: 'CONNECTION.QR'; qr: string };

export function parseCommand(input: unknown): CommandEvent {
  return CommandSchema.parse(input);
}

export function parseEngineEvent(input: unknown): EngineEvent {
  return EngineEventSchema.parse(input);
}
