/** Shapes of the admin API as the UI consumes them. */

// The lifecycle shapes come from the server modules themselves (type-only imports: nothing of the
// server is bundled), so the UI cannot drift from the contract.
import type { Deadlines, Health, LifecycleStatus } from '../../machines/health.js';
import type { Disconnect, PublicState } from '../../machines/types.js';
import type { Transition } from '../../src/runtime/index.js';

export type { Deadlines, Disconnect, Health, PublicState, Transition };

/** /api/state `context` and /api/status: the status projection without the QR string. */
export type StatusSummary = Omit<LifecycleStatus, 'qr'> & { qrAvailable: boolean };

export interface StateView {
  value: { supervisor: unknown; connection: unknown };
  context: StatusSummary;
  timers?: Deadlines;
  health: Health;
  since?: number;
  recentTransitions: Transition[];
}

/** SPEC §3 shapes, as the store serves them. */
export type { Chat, Message } from '../../src/store/types.js';

/**
 * What GET /api/settings answers: the server's settings schema with the upload token masked
 * (`upload_token_set`). Inferred from the one zod schema, so a new setting shows up here by itself.
 */
export type { PublicSettings as Settings } from '../../src/settings/schema.js';
