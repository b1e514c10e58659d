/** Shapes of the admin API as the UI consumes them. */

// The lifecycle shapes come from the server modules themselves (type-only imports: nothing of the
// server is bundled), so the UI cannot drift from the contract.
import type { Deadlines } from '../../machines/status.js';
import type { Disconnect } from '../../machines/types.js';
import type { Health, PublicState, StatusSummary, Transition } from '../../src/runtime/index.js';
import type { OutboxStatus } from '../../src/store/repos/outbox.js';

/** /api/state `context`, /api/status and SSE `status`: the runtime's one status summary (machines/status.ts). */
export type { Deadlines, Disconnect, Health, PublicState, StatusSummary, Transition };

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

/** Send safety (issue #15): the outbox statuses and one audit line, from the store module itself. */
export type { AuditEntry, OutboxStatus } from '../../src/store/repos/outbox.js';

/** One outbox row as GET /api/sends and the approve/reject/cancel routes answer it (services/safety/present-send.ts). */
export interface SendView {
  sendId: string;
  status: OutboxStatus;
  tool: string;
  chatId?: string;
  /** One line written by the server; message text in it is the agent's data, shown as quoted text only. */
  summary: string;
  reason: string | null;
  /** ISO times with the server's display offset. */
  createdAt: string;
  scheduledAt?: string;
  expiresAt?: string;
  decidedBy?: string;
  result?: Record<string, unknown>;
  error?: string;
}

/** GET /api/sends: the rows asked for, plus how many rows are in each status overall. */
export interface SendsPage {
  sends: SendView[];
  counts: Partial<Record<OutboxStatus, number>>;
}
