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

export interface Settings {
  media_public_base_url: string;
  upload_max_mb: number;
  upload_enabled: boolean;
  max_files_per_upload: number;
  require_upload_token: boolean;
  upload_token_set: boolean;
  auto_download_media: boolean;
  auto_download_max_mb: number;
  auto_select_contact: boolean;
}
