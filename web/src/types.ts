/** Shapes of the admin API as the UI consumes them (kept structural: the server owns the contract). */

export type PublicState = 'connecting' | 'awaiting-qr' | 'open' | 'soft-resync' | 'restarting' | 'stuck';

export interface Deadlines {
  graceAt: number | null;
  backoffUntil: number | null;
  watchdogAt: number | null;
  resyncDeadline: number | null;
  restartAt: number | null;
  stuckRetryAt: number | null;
}

export interface Disconnect {
  code: number;
  reason: string;
  at: number;
}

export interface StatusSummary {
  state: PublicState;
  since: number;
  reason: string | null;
  me: { id: string; name?: string } | null;
  lastDisconnect: Disconnect | null;
  deadlines: Deadlines;
  restartBudget: { used: number; intensity: number; periodMs: number };
  syncFailures?: number;
  qrAvailable: boolean;
}

export interface Health {
  ok: boolean;
  httpStatus: number;
  state: PublicState;
  reason: string | null;
  since: number;
}

export interface Transition {
  actor: 'supervisor' | 'connection';
  event: string;
  from: string[];
  to: string[];
  at: number;
}

export interface StateView {
  value: { supervisor: unknown; connection: unknown };
  context: StatusSummary;
  timers?: Deadlines;
  health: Health;
  since?: number;
  recentTransitions: Transition[];
}

export interface Chat {
  id: string;
  name: string;
  isGroup: boolean;
  unreadCount: number;
  timestamp: number;
  lastMessage?: Message | null;
}

export interface Message {
  id: string;
  chatId: string;
  from: string;
  fromMe: boolean;
  timestamp: number;
  body: string;
  type: string;
  hasMedia: boolean;
}

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
