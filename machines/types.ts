/** Plain types shared by the lifecycle machines. No I/O, no library types. */

/** The recovery knobs of SPEC §7, already parsed from env (see src/config.ts). */
export interface LifecycleConfig {
  /** First reconnect/restart backoff step; doubles per attempt up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** ±fraction applied to every backoff so many instances never reconnect in lockstep (0 = none). */
  backoffJitter: number;
  /** Disconnect watchdog: after a close, recover if not open again within this (0 = at once). */
  disconnectRecoveryDelayMs: number;
  /** Close codes whose watchdog escalation is a full restart instead of another reconnect. */
  disconnectRecoveryRestartCodes: number[];
  syncRecoveryCooldownMs: number;
  syncRecoveryWindowMs: number;
  syncSoftRecoveryLimit: number;
  /** Whether a soft resync that fails (or times out) reconnects the socket before giving up. */
  resyncReconnect: boolean;
  resyncReconnectDelayMs: number;
  readinessGraceMs: number;
  restartIntensity: number;
  restartPeriodMs: number;
  /** Slow retry while stuck (0 = wait for an operator only). */
  stuckRetryMs: number;
}

export const DEFAULT_LIFECYCLE_CONFIG: LifecycleConfig = {
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  backoffJitter: 0.2,
  disconnectRecoveryDelayMs: 30_000,
  disconnectRecoveryRestartCodes: [428],
  syncRecoveryCooldownMs: 300_000,
  syncRecoveryWindowMs: 900_000,
  syncSoftRecoveryLimit: 2,
  resyncReconnect: true,
  resyncReconnectDelayMs: 15_000,
  readinessGraceMs: 180_000,
  restartIntensity: 5,
  restartPeriodMs: 600_000,
  stuckRetryMs: 300_000,
};

export interface Disconnect {
  code: number;
  reason: string;
  at: number;
}

/**
 * WhatsApp refused our sends for a while (issue #15): 463 "reachout timelock" after cold outreach, 429
 * rate-overlimit, or the account-restricted notice. Sends to new contacts are held until `until` (null:
 * no end announced; cleared by a successful reachout report or RESET). Reads are not affected.
 */
export interface Restriction {
  kind: 'reachout_timelock' | 'rate_overlimit' | 'account_restricted';
  since: number;
  until: number | null;
  detail: string;
}

/**
 * A request to link by phone number (issue #14), from the command until the socket it was made on goes
 * away. `id` tells one request from the next (callers wait for their own outcome); `code` is set once
 * WhatsApp accepted the registration, `error` when it did not.
 */
export interface PairingRequest {
  id: number;
  phone: string;
  requestedAt: number;
  code: string | null;
  error: string | null;
}

export interface Me {
  id: string;
  name?: string;
  lid?: string;
}

/** Why the connection worker gave up and what it asks its supervisor to do about it. */
export interface Escalation {
  kind: 'restart' | 'stuck';
  reason: string;
  code?: number;
}

/** The public, flattened lifecycle states (SPEC §7), in lifecycle order. */
export const PUBLIC_STATES = ['connecting', 'awaiting-qr', 'open', 'soft-resync', 'restarting', 'stuck'] as const;
export type PublicState = (typeof PUBLIC_STATES)[number];

/** setTimeout overflows above 2^31-1 ms (fires at once), so "never" is capped here and guarded. */
export const NEVER_MS = 2_147_483_647;

/** Jittered exponential backoff: base·2^attempt capped at max, then ±jitter. `random` is injectable for tests. */
export function backoffDelay(cfg: LifecycleConfig, attempt: number, random: () => number = Math.random): number {
  const raw = Math.min(cfg.backoffMaxMs, cfg.backoffBaseMs * 2 ** Math.max(0, attempt));
  const spread = raw * cfg.backoffJitter;
  return Math.max(0, Math.round(raw - spread + random() * 2 * spread));
}

/** Remaining ms until `deadline` (0 when due; NEVER_MS when there is none). */
export function msUntil(deadline: number | null, now: number): number {
  if (deadline === null) return NEVER_MS;
  return Math.min(NEVER_MS, Math.max(0, deadline - now));
}
