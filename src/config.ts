/**
 * The process configuration: one zod schema over `process.env` (SPEC §6), read once at start-up.
 * A bad value stops start-up with a message naming the variable and the expected form.
 * `0` is legal wherever it means something (port 0 = any free port, a 0 ms window = disabled).
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_LIFECYCLE_CONFIG as LC, type LifecycleConfig } from '../machines/types.js';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

const bool = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return def;
      const s = v.trim().toLowerCase();
      if (TRUE.has(s)) return true;
      if (FALSE.has(s)) return false;
      ctx.addIssue({ code: 'custom', message: 'expected a boolean: 1/0, true/false, yes/no, on/off' });
      return z.NEVER;
    });

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v.trim());
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const num = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v.trim());
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const list = (def: string[]) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined ? def : v.split(',').map((s) => s.trim()).filter(Boolean)));

/** MCP_TOOLSETS: the groups of tools a client is offered (src/mcp/tools/toolsets.ts says which tool is where). */
export const TOOLSETS = ['read', 'send', 'media', 'groups', 'admin'] as const;
export type Toolset = (typeof TOOLSETS)[number];

const toolsets = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '' || v.trim() === 'all') return [...TOOLSETS];
    const names = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const bad = names.filter((n) => !(TOOLSETS as readonly string[]).includes(n));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown toolset ${bad.join(', ')}: use a comma list of ${TOOLSETS.join(', ')} (or "all")` });
      return z.NEVER;
    }
    return [...new Set(names)] as Toolset[];
  });

const oneOf = <T extends string>(values: readonly T[], def: T) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = (v ?? '').trim().toLowerCase();
      if (s === '') return def;
      if ((values as readonly string[]).includes(s)) return s as T;
      ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}` });
      return z.NEVER;
    });

/** SEND_MODE (issue #15): read_only hides every write tool; confirm asks a human before a write; allow sends. */
export const SEND_MODES = ['read_only', 'confirm', 'allow'] as const;
export type SendMode = (typeof SEND_MODES)[number];
/** LINK_METHOD (issue #14): pair by scanning a QR code or by typing an 8-character code on the phone. */
export const LINK_METHODS = ['qr', 'code'] as const;
export type LinkMethod = (typeof LINK_METHODS)[number];

const intList = (def: number[]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return [...def];
      const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
      const nums = parts.map(Number);
      if (nums.some((n) => !Number.isInteger(n))) {
        ctx.addIssue({ code: 'custom', message: 'expected a comma-separated list of integers, e.g. "428,408"' });
        return z.NEVER;
      }
      return nums;
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const wsUrl = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    try {
      const u = new URL(v.trim());
      if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error('protocol');
      return u.toString();
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a ws:// or wss:// URL' });
      return z.NEVER;
    }
  });

const logLevel = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const s = (v ?? 'info').trim().toLowerCase() || 'info';
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(s)) {
      ctx.addIssue({ code: 'custom', message: 'expected one of fatal, error, warn, info, debug, trace, silent' });
      return z.NEVER;
    }
    return s as 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  });

/** An IANA time zone accepted by Intl (e.g. Europe/London), or absent (the server's own zone). */
const timeZone = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const s = v?.trim();
    if (!s) return undefined;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: s });
      return s;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected an IANA time zone such as Europe/London, America/New_York or UTC' });
      return z.NEVER;
    }
  });

const EnvSchema = z.object({
  DISPLAY_TIMEZONE: timeZone,
  DATA_DIR: optionalString,
  DB_PATH: optionalString,
  MEDIA_DIR: optionalString,
  MEDIA_INPUT_DIRS: list([]),
  SETTINGS_PATH: optionalString,

  PORT: int(3003, 0, 65535),
  HOST: optionalString,
  LOG_LEVEL: logLevel,
  MCP_HTTP_ENABLE_JSON_RESPONSE: bool(true),
  MCP_SESSION_IDLE_MS: int(30 * 60_000),
  MCP_MAX_SESSIONS: int(500, 1, 100_000),
  /** Per-session budget (KB) of SSE events kept for Last-Event-ID resumption; 0 turns resumption off. */
  MCP_SSE_REPLAY_KB: int(128, 0, 1_048_576),
  /** Re-validate every tool result against its output schema on the server (the SDK default; costs CPU). */
  MCP_VALIDATE_TOOL_OUTPUT: bool(false),
  MCP_TOOLSETS: toolsets,
  MCP_AUTH_TOKEN: optionalString,
  ADMIN_TOKEN: optionalString,
  AUTH_DISABLED: bool(false),
  ALLOWED_HOSTS: list([]),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      // Which proxy's X-Forwarded-For to believe (client address for rate limits and logs). Unset = none:
      // the header is set by any client, so trusting it by default would let anyone pick their address.
      const s = (v ?? '').trim().toLowerCase();
      if (s === '' || FALSE.has(s)) return false;
      if (/^\d{1,2}$/.test(s)) return Number(s);
      const parts = s.split(',').map((p) => p.trim());
      const named = new Set(['loopback', 'linklocal', 'uniquelocal']);
      if (parts.every((p) => named.has(p) || isIP(p.split('/')[0] ?? '') !== 0)) return parts.join(',');
      ctx.addIssue({ code: 'custom', message: 'expected a hop count, loopback/linklocal/uniquelocal, or comma-separated proxy addresses/CIDRs' });
      return z.NEVER;
    }),

  // Send safety (issue #15): the defaults of the live settings (src/settings/schema.ts).
  SEND_MODE: oneOf(SEND_MODES, 'confirm'),
  SEND_APPROVE_NEW_RECIPIENTS: bool(true),
  SEND_PENDING_EXPIRY_HOURS: num(24, 0.01, 720),
  SEND_PACING: bool(true),
  SEND_PACE_CHAT_INTERVAL_S: num(5, 0, 3600),
  SEND_PACE_PER_MINUTE: int(12, 0, 10_000),
  SEND_PACE_PER_HOUR: int(120, 0, 100_000),
  SEND_PACE_NEW_RECIPIENTS_PER_DAY: int(20, 0, 10_000),
  SEND_PACE_TYPING: bool(true),
  SEND_PACE_JITTER_MS: int(1500, 0, 60_000),

  LINK_METHOD: oneOf(LINK_METHODS, 'qr'),
  WA_SOCKET_URL: wsUrl,
  WA_SIMULATOR: bool(false),
  WA_SIMULATOR_AUTOPAIR: bool(true),
  WA_EVENT_LOG: bool(false),
  WA_EVENT_STREAM: bool(false),
  WA_EVENT_STREAM_PATH: optionalString,

  // Recovery knobs: the defaults are the machines' own (machines/types.ts), the one copy.
  WA_SYNC_RECOVERY_COOLDOWN_MS: int(LC.syncRecoveryCooldownMs),
  WA_SYNC_RECOVERY_WINDOW_MS: int(LC.syncRecoveryWindowMs),
  WA_SYNC_SOFT_RECOVERY_LIMIT: int(LC.syncSoftRecoveryLimit),
  WA_READINESS_GRACE_MS: int(LC.readinessGraceMs),
  WA_DISCONNECT_RECOVERY_DELAY_MS: int(LC.disconnectRecoveryDelayMs),
  WA_DISCONNECT_RECOVERY_RESTART_CODES: intList(LC.disconnectRecoveryRestartCodes),
  WA_RESTART_INTENSITY: int(LC.restartIntensity),
  WA_RESTART_PERIOD_MS: int(LC.restartPeriodMs, 1),
  WA_RESYNC_RECONNECT: bool(LC.resyncReconnect),
  WA_RESYNC_RECONNECT_DELAY_MS: int(LC.resyncReconnectDelayMs),
  WA_BACKOFF_BASE_MS: int(LC.backoffBaseMs),
  WA_BACKOFF_MAX_MS: int(LC.backoffMaxMs),
  WA_BACKOFF_JITTER: num(LC.backoffJitter, 0, 1),
  WA_STUCK_RETRY_MS: int(LC.stuckRetryMs),

  WA_SEND_DEDUP_WINDOW_MS: int(45_000),
  WA_IDEMPOTENCY_TTL_MS: int(86_400_000, 1),

  MEDIA_PUBLIC_BASE_URL: optionalString,
  UPLOAD_MAX_MB: num(50, 1, 2048),
  UPLOAD_ENABLED: bool(true),
  MAX_FILES_PER_UPLOAD: int(1, 1, 100),
  REQUIRE_UPLOAD_TOKEN: bool(false),
  UPLOAD_TOKEN: optionalString,
  AUTO_DOWNLOAD_MEDIA: bool(false),
  AUTO_DOWNLOAD_MAX_MB: num(50, 0, 2048),
  WA_AUTO_DOWNLOAD_CONCURRENCY: int(3, 1, 32),
  WA_AUTO_DOWNLOAD_QUEUE_MAX: int(200, 1, 100_000),
  FFMPEG_PATH: optionalString,
  MEDIA_URL_ALLOW_PRIVATE: bool(false),
  /** Largest image returned inline (as an MCP image block) by get_media; larger ones are downscaled or linked. */
  INLINE_IMAGE_MAX_MB: num(1, 0.01, 50),
});

type Env = z.infer<typeof EnvSchema>;

export interface Config {
  dataDir: string;
  dbPath: string;
  mediaDir: string;
  mediaInputDirs: string[];
  settingsPath: string;
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  stdio: boolean;
  mcp: { jsonResponse: boolean; sessionIdleMs: number; maxSessions: number; sseReplayKb: number; validateToolOutput: boolean; toolsets: Toolset[] };
  /** DISPLAY_TIMEZONE: zone of the ISO `time` fields in tool outputs; undefined = the server's zone. */
  displayTimeZone?: string;
  auth: { disabled: boolean; mcpToken?: string; adminToken?: string; allowedHosts: string[]; trustProxy: false | number | string };
  whatsapp: {
    socketUrl?: string;
    simulator: boolean;
    simulatorAutopair: boolean;
    /** LINK_METHOD: default of the `link_method` setting. */
    linkMethod: LinkMethod;
    /** WA_EVENT_LOG: every lifecycle transition logged at info (else debug). */
    eventLog: boolean;
    /** WA_EVENT_STREAM: append every lifecycle event to `eventStreamPath` (JSONL, 0600, rotated). */
    eventStream: boolean;
    eventStreamPath: string;
  };
  lifecycle: LifecycleConfig;
  sending: { dedupWindowMs: number; idempotencyTtlMs: number };
  /** Defaults of the send-safety settings (issue #15); the live values are in the settings store. */
  safety: {
    mode: SendMode;
    approveNewRecipients: boolean;
    pendingExpiryHours: number;
    pacing: boolean;
    paceChatIntervalS: number;
    pacePerMinute: number;
    pacePerHour: number;
    paceNewRecipientsPerDay: number;
    paceTyping: boolean;
    paceJitterMs: number;
  };
  media: {
    publicBaseUrl: string;
    uploadMaxMb: number;
    uploadEnabled: boolean;
    maxFilesPerUpload: number;
    requireUploadToken: boolean;
    uploadToken: string;
    autoDownload: boolean;
    autoDownloadMaxMb: number;
    autoDownloadConcurrency: number;
    autoDownloadQueueMax: number;
    ffmpegPath?: string;
    allowPrivateUrls: boolean;
    inlineImageMaxMb: number;
  };
}

export class ConfigError extends Error {
  constructor(public readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment (and `--stdio`) into a typed Config, or throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${String(i.path[0])}=${JSON.stringify(env[String(i.path[0])] ?? '')}: ${i.message}`),
    );
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR ?? './data');
  const mediaDir = resolve(e.MEDIA_DIR ?? `${dataDir}/media`);
  const settingsPath = resolve(e.SETTINGS_PATH ?? `${dataDir}/settings.json`);
  if (settingsPath.startsWith(mediaDir + '/')) {
    throw new ConfigError([`SETTINGS_PATH=${JSON.stringify(settingsPath)}: must not be inside MEDIA_DIR (it would be served)`]);
  }
  return {
    dataDir,
    dbPath: resolve(e.DB_PATH ?? `${dataDir}/store.sqlite`),
    mediaDir,
    mediaInputDirs: e.MEDIA_INPUT_DIRS.map((d) => resolve(d)),
    settingsPath,
    port: e.PORT,
    host: e.HOST ?? '127.0.0.1',
    logLevel: e.LOG_LEVEL,
    stdio: argv.includes('--stdio'),
    displayTimeZone: e.DISPLAY_TIMEZONE,
    mcp: { jsonResponse: e.MCP_HTTP_ENABLE_JSON_RESPONSE, sessionIdleMs: e.MCP_SESSION_IDLE_MS, maxSessions: e.MCP_MAX_SESSIONS, sseReplayKb: e.MCP_SSE_REPLAY_KB, validateToolOutput: e.MCP_VALIDATE_TOOL_OUTPUT, toolsets: e.MCP_TOOLSETS },
    auth: {
      disabled: e.AUTH_DISABLED,
      mcpToken: e.MCP_AUTH_TOKEN,
      adminToken: e.ADMIN_TOKEN,
      allowedHosts: e.ALLOWED_HOSTS.map((h) => h.toLowerCase()),
      trustProxy: e.TRUST_PROXY,
    },
    whatsapp: {
      socketUrl: e.WA_SOCKET_URL,
      simulator: e.WA_SIMULATOR,
      simulatorAutopair: e.WA_SIMULATOR_AUTOPAIR,
      linkMethod: e.LINK_METHOD,
      eventLog: e.WA_EVENT_LOG,
      eventStream: e.WA_EVENT_STREAM,
      eventStreamPath: resolve(e.WA_EVENT_STREAM_PATH ?? `${dataDir}/lifecycle-events.jsonl`),
    },
    lifecycle: {
      backoffBaseMs: e.WA_BACKOFF_BASE_MS,
      backoffMaxMs: Math.max(e.WA_BACKOFF_MAX_MS, e.WA_BACKOFF_BASE_MS),
      backoffJitter: e.WA_BACKOFF_JITTER,
      disconnectRecoveryDelayMs: e.WA_DISCONNECT_RECOVERY_DELAY_MS,
      disconnectRecoveryRestartCodes: e.WA_DISCONNECT_RECOVERY_RESTART_CODES,
      syncRecoveryCooldownMs: e.WA_SYNC_RECOVERY_COOLDOWN_MS,
      syncRecoveryWindowMs: e.WA_SYNC_RECOVERY_WINDOW_MS,
      syncSoftRecoveryLimit: e.WA_SYNC_SOFT_RECOVERY_LIMIT,
      resyncReconnect: e.WA_RESYNC_RECONNECT,
      resyncReconnectDelayMs: e.WA_RESYNC_RECONNECT_DELAY_MS,
      readinessGraceMs: e.WA_READINESS_GRACE_MS,
      restartIntensity: e.WA_RESTART_INTENSITY,
      restartPeriodMs: e.WA_RESTART_PERIOD_MS,
      stuckRetryMs: e.WA_STUCK_RETRY_MS,
    },
    sending: { dedupWindowMs: e.WA_SEND_DEDUP_WINDOW_MS, idempotencyTtlMs: e.WA_IDEMPOTENCY_TTL_MS },
    safety: {
      mode: e.SEND_MODE,
      approveNewRecipients: e.SEND_APPROVE_NEW_RECIPIENTS,
      pendingExpiryHours: e.SEND_PENDING_EXPIRY_HOURS,
      pacing: e.SEND_PACING,
      paceChatIntervalS: e.SEND_PACE_CHAT_INTERVAL_S,
      pacePerMinute: e.SEND_PACE_PER_MINUTE,
      pacePerHour: e.SEND_PACE_PER_HOUR,
      paceNewRecipientsPerDay: e.SEND_PACE_NEW_RECIPIENTS_PER_DAY,
      paceTyping: e.SEND_PACE_TYPING,
      paceJitterMs: e.SEND_PACE_JITTER_MS,
    },
    media: {
      publicBaseUrl: e.MEDIA_PUBLIC_BASE_URL ?? '',
      uploadMaxMb: e.UPLOAD_MAX_MB,
      uploadEnabled: e.UPLOAD_ENABLED,
      maxFilesPerUpload: e.MAX_FILES_PER_UPLOAD,
      requireUploadToken: e.REQUIRE_UPLOAD_TOKEN,
      uploadToken: e.UPLOAD_TOKEN ?? '',
      autoDownload: e.AUTO_DOWNLOAD_MEDIA,
      autoDownloadMaxMb: e.AUTO_DOWNLOAD_MAX_MB,
      autoDownloadConcurrency: e.WA_AUTO_DOWNLOAD_CONCURRENCY,
      autoDownloadQueueMax: e.WA_AUTO_DOWNLOAD_QUEUE_MAX,
      ffmpegPath: e.FFMPEG_PATH,
      allowPrivateUrls: e.MEDIA_URL_ALLOW_PRIVATE,
      inlineImageMaxMb: e.INLINE_IMAGE_MAX_MB,
    },
  };
}
