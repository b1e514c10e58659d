/**
 * Every event the lifecycle machines understand, in one place.
 *
 * - Engine events come from the WhatsApp adapter (or a scripted engine in tests).
 * - Command events come from callers (MCP tools, HTTP API, the operator).
 * - Engine commands go the other way: what the connection machine asks the engine to do.
 *
 * These are TypeScript types only, with no runtime validation, because nothing reaches the machines as
 * untyped data: the HTTP command routes build commands from a fixed path table, the services use literals,
 * and adapters emit typed events in-process. An edge that ever accepts a command from a request body must
 * validate it there (zod) before calling `runtime.send`.
 */

export type EngineEvent =
  /** A new socket attempt started (noise handshake / login in progress). */
  | { type: 'ENGINE.CONNECTING' }
  /** Unpaired: the engine has a QR string for the phone to scan (rotates). */
  | { type: 'ENGINE.QR'; qr: string }
  /** Logged in and usable. */
  | { type: 'ENGINE.OPEN'; me: { id: string; name?: string; lid?: string } }
  /** The socket closed. `selfInflicted` is true when the service ended it (restart, resync, logout). */
  | { type: 'ENGINE.CLOSED'; code: number; reason: string; selfInflicted: boolean }
  /** Baileys reported that an app-state collection cannot be decoded (missing key, parked, gave up). */
  | { type: 'ENGINE.APP_STATE_FAILURE'; collection: string; detail: string }
  | { type: 'ENGINE.RESYNC_DONE'; collection?: string }
  | { type: 'ENGINE.RESYNC_FAILED'; collection?: string; error: string }
  /**
   * A command failed in a way the adapter did not handle itself (it reports expected failures as the events
   * above): the engine is broken, and the worker escalates to a supervised restart.
   */
  | { type: 'ENGINE.FAILED'; command: string; error: string };

export type CommandEvent =
  /** Operator: end the socket and start a fresh connection (does not count against the restart budget). */
  | { type: 'RESTART' }
  /** Operator: resync app state now, bypassing the cooldown. */
  | { type: 'FORCE_RESYNC'; collection?: string }
  /** Operator: unlink the device, wipe the auth state only, go back to awaiting a QR scan. */
  | { type: 'LOGOUT' }
  /** Operator: forget failure history and restart budget, then start fresh. */
  | { type: 'RESET' };
export type CommandType = CommandEvent['type'];

/**
 * Reports from the data path (the sending service sees WhatsApp's answers to sends): account-level facts
 * the supervisor keeps in its context. They never change the connection state.
 */
export type AccountEvent =
  | { type: 'ACCOUNT.RESTRICTED'; kind: 'reachout_timelock' | 'rate_overlimit' | 'account_restricted'; until: number | null; detail: string }
  /** A send to a new contact went through: whatever restriction was known is over. */
  | { type: 'ACCOUNT.UNRESTRICTED' };

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
  /** `unlinked`: the device is no longer paired (401), so nobody is logged in any more. */
  | { type: 'CONNECTION.DEGRADED'; reason: string; code?: number; unlinked?: boolean }
  | { type: 'CONNECTION.QR'; qr: string };
