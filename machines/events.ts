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
  /** WhatsApp accepted a link-code registration for `phone`: `code` is to be typed on that phone. */
  | { type: 'ENGINE.PAIRING_CODE'; phone: string; code: string }
  /** The link-code registration failed (WhatsApp refused it, no answer, or the socket went away). */
  | { type: 'ENGINE.PAIRING_CODE_FAILED'; phone: string; error: string; code?: number }
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

export type OperatorCommand =
  /** Operator: end the socket and start a fresh connection (does not count against the restart budget). */
  | { type: 'RESTART' }
  /** Operator: resync app state now, bypassing the cooldown. */
  | { type: 'FORCE_RESYNC'; collection?: string }
  /** Operator: unlink the device, wipe the auth state only, go back to awaiting a QR scan. */
  | { type: 'LOGOUT' }
  /** Operator: forget failure history and restart budget, then start fresh. */
  | { type: 'RESET' };

/**
 * Link by phone number instead of a QR (issue #14): ask WhatsApp for an 8-character code to type on the
 * phone with this number (digits, international format). The phone comes from a request body or a tool
 * argument, so the edges validate it (zod, src/runtime/pairing.ts) before `runtime.send`.
 */
export type PairingCommand = { type: 'REQUEST_PAIRING_CODE'; phone: string };

export type CommandEvent = OperatorCommand | PairingCommand;
/** The payload-free operator commands (the HTTP command route table, the UI's buttons). */
export type CommandType = OperatorCommand['type'];

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
  | { type: 'PAIRING_CODE'; phone: string } // ask WhatsApp for a link code on the unpaired socket; answer with ENGINE.PAIRING_CODE(_FAILED)
  | { type: 'WIPE_AUTH' }; // wipe auth locally (no socket needed), e.g. after a 401

/** Events the connection machine reports to its parent (the supervisor). */
export type ConnectionReport =
  | { type: 'CONNECTION.OPEN'; me: { id: string; name?: string; lid?: string } }
  /** `unlinked`: the device is no longer paired (401), so nobody is logged in any more. */
  | { type: 'CONNECTION.DEGRADED'; reason: string; code?: number; unlinked?: boolean }
  | { type: 'CONNECTION.QR'; qr: string };
