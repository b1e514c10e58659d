/**
 * The settings store. Precedence: defaults < env (both already folded into `Config`) < persisted file
 * < API update. The file holds only the keys changed through the API (overrides), so a later env change
 * still applies to every key nobody overrode. Writes are atomic (temp + fsync + rename, mode 0600) to
 * `config.settingsPath`, which config validation keeps outside the media dir. Subscribers are called
 * after every successful update, so each change applies live.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { SETTINGS_KEYS, SettingsPatchSchema, SettingsSchema, maskSettings, type PublicSettings, type Settings, type SettingsPatch } from './schema.js';

/** A refused update (nothing written): 400 `invalid_setting` naming the first offending key. */
export class SettingsValidationError extends AppError {
  constructor(
    /** The first offending key (or `(body)` when the body is not an object). */
    readonly field: string,
    readonly issues: Array<{ field: string; message: string }>,
  ) {
    super('invalid_setting', `invalid setting ${field}: ${issues[0]?.message ?? 'bad value'}`, 'Fix the value and send it again (GET /api/settings shows the current ones)', {
      details: { field, issues },
    });
    this.name = 'SettingsValidationError';
  }
}

export type SettingsListener = (next: Settings, prev: Settings, changed: ReadonlyArray<keyof Settings>) => void;

export interface SettingsStore {
  get(): Settings;
  /** Secrets masked (`upload_token_set` instead of `upload_token`). */
  getPublic(): PublicSettings;
  /** Validates, persists atomically, applies; throws SettingsValidationError (nothing written) on bad input. */
  update(patch: unknown): Settings;
  subscribe(listener: SettingsListener): () => void;
  /** For the MCP services (`auto_select_contact`). */
  autoSelectContact(): boolean;
}

export function settingsFromConfig(config: Config): Settings {
  const m = config.media;
  return SettingsSchema.parse({
    media_public_base_url: m.publicBaseUrl,
    upload_max_mb: m.uploadMaxMb,
    upload_enabled: m.uploadEnabled,
    max_files_per_upload: m.maxFilesPerUpload,
    require_upload_token: m.requireUploadToken,
    upload_token: m.uploadToken,
    auto_download_media: m.autoDownload,
    auto_download_max_mb: m.autoDownloadMaxMb,
    auto_select_contact: false,
    inline_image_max_mb: m.inlineImageMaxMb,
    link_method: config.whatsapp.linkMethod,
    send_mode: config.safety.mode,
    approve_new_recipients: config.safety.approveNewRecipients,
    read_allow: [],
    read_deny: [],
    write_allow: [],
    write_deny: [],
    pending_expiry_hours: config.safety.pendingExpiryHours,
    pacing_enabled: config.safety.pacing,
    pace_chat_interval_s: config.safety.paceChatIntervalS,
    pace_per_minute: config.safety.pacePerMinute,
    pace_per_hour: config.safety.pacePerHour,
    pace_new_recipients_per_day: config.safety.paceNewRecipientsPerDay,
    pace_typing: config.safety.paceTyping,
    pace_jitter_ms: config.safety.paceJitterMs,
  });
}

function validatePatch(patch: unknown): SettingsPatch {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw new SettingsValidationError('(body)', [{ field: '(body)', message: 'expected a JSON object of settings' }]);
  }
  const r = SettingsPatchSchema.safeParse(patch);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') return { field: i.keys.join(', '), message: `unknown setting (known: ${SETTINGS_KEYS.join(', ')})` };
    return { field: i.path.map(String).join('.') || '(body)', message: i.message };
  });
  throw new SettingsValidationError(issues[0]?.field ?? '(body)', issues);
}

/** Reads the overrides file; invalid or unknown keys are dropped with a warning (never fatal). */
function readOverrides(path: string, log: Logger): SettingsPatch {
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    log.warn({ err, file: path }, 'settings file unreadable; using defaults and env');
    return {};
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const field = (SettingsSchema.shape as Record<string, z.ZodType>)[k];
    if (!field) {
      log.warn({ key: k, file: path }, 'unknown key in settings file ignored');
      continue;
    }
    const r = field.safeParse(v);
    if (r.success) out[k] = r.data;
    else log.warn({ key: k, file: path }, 'invalid value in settings file ignored');
  }
  return out as SettingsPatch;
}

export function createSettingsStore(opts: { config: Config; logger: Logger; path?: string }): SettingsStore {
  const path = opts.path ?? opts.config.settingsPath;
  const base = settingsFromConfig(opts.config);
  let overrides: SettingsPatch = readOverrides(path, opts.logger);
  let current: Settings = { ...base, ...overrides };
  const listeners = new Set<SettingsListener>();

  return {
    get: () => current,
    getPublic: () => maskSettings(current),
    autoSelectContact: () => current.auto_select_contact,
    update(patch: unknown): Settings {
      const valid = validatePatch(patch);
      const nextOverrides: SettingsPatch = { ...overrides, ...valid };
      const next: Settings = { ...base, ...nextOverrides };
      // Persist first: if the write fails, nothing changes in memory either.
      writeFileAtomic(path, `${JSON.stringify(nextOverrides, null, 2)}\n`, 0o600);
      const prev = current;
      overrides = nextOverrides;
      current = next;
      const changed = SETTINGS_KEYS.filter((k) => JSON.stringify(prev[k]) !== JSON.stringify(next[k]));
      opts.logger.info({ changed }, 'settings updated');
      for (const l of listeners) {
        try {
          l(next, prev, changed);
        } catch (err) {
          opts.logger.error({ err }, 'settings listener failed');
        }
      }
      return next;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
