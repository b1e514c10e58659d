/**
 * Runtime settings (SPEC §5): one zod schema for every key, used for the persisted file, env-derived
 * defaults and API updates alike. Updates are partial and strict: an unknown key is an error, so a
 * typo never silently does nothing.
 */
import { z } from 'zod';
import { LINK_METHODS, SEND_MODES } from '../config.js';

/** A chat rule list: JIDs (user@s.whatsapp.net, …@lid, …@g.us), deduplicated. */
const jidList = z
  .array(z.string().trim().regex(/^[^@\s]+@(s\.whatsapp\.net|lid|g\.us|broadcast|newsletter)$/, 'expected a chat JID such as 447700900123@s.whatsapp.net or 1203…@g.us'))
  .max(5000)
  .transform((v) => [...new Set(v)]);

const publicBaseUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    if (v === '') return true;
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.search === '' && u.hash === '' && u.username === '' && u.password === '';
    } catch {
      return false;
    }
  }, 'expected an http(s) URL without query, fragment or credentials, or ""')
  .transform((v) => v.replace(/\/+$/, ''));

export const SettingsSchema = z.object({
  media_public_base_url: publicBaseUrl.describe('Base URL that recipients use to reach this server; publicUrl = base + signed /media path'),
  upload_max_mb: z.number().min(1).max(2048).describe('Largest upload (per file), MB'),
  upload_enabled: z.boolean(),
  max_files_per_upload: z.number().int().min(1).max(100),
  require_upload_token: z.boolean(),
  upload_token: z.string().max(500).describe('Write-only; "" clears it'),
  auto_download_media: z.boolean(),
  auto_download_max_mb: z.number().min(0).max(2048),
  auto_select_contact: z.boolean(),
  inline_image_max_mb: z.number().min(0.01).max(50).describe('Largest image get_media returns inline, MB; larger ones are downscaled or linked'),
  link_method: z.enum(LINK_METHODS).describe('How a new device links: qr (scan) or code (8-character pairing code typed on the phone)'),

  // Send safety (issue #15). Lists are chat JIDs; an empty allow-list means every chat.
  send_mode: z.enum(SEND_MODES).describe('read_only: no write tools; confirm: a human approves each write; allow: writes go out (still paced)'),
  approve_new_recipients: z.boolean().describe('In allow mode, a first message to a chat we never wrote to still needs approval'),
  read_allow: jidList.describe('Only these chats are visible to MCP clients (empty = all)'),
  read_deny: jidList.describe('These chats never appear in any tool output, resource or search hit'),
  write_allow: jidList.describe('Only these chats may be written to (empty = all)'),
  write_deny: jidList.describe('These chats are never written to'),
  pending_expiry_hours: z.number().min(0.01).max(720).describe('A send waiting for approval expires after this many hours'),
  pacing_enabled: z.boolean(),
  pace_chat_interval_s: z.number().min(0).max(3600).describe('Minimum seconds between two sends to the same chat'),
  pace_per_minute: z.number().int().min(0).max(10_000).describe('Sends per minute, all chats (0 = no limit)'),
  pace_per_hour: z.number().int().min(0).max(100_000).describe('Sends per hour, all chats (0 = no limit)'),
  pace_new_recipients_per_day: z.number().int().min(0).max(10_000).describe('First messages to new chats per day (0 = no limit)'),
  pace_typing: z.boolean().describe('Show "typing…" before a text, for a time proportional to its length'),
  pace_jitter_ms: z.number().int().min(0).max(60_000).describe('Random extra delay added to each paced send, ms'),
});

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingsKey = keyof Settings;
export const SETTINGS_KEYS = Object.keys(SettingsSchema.shape) as SettingsKey[];

/** A partial update: only known keys, each validated. */
export const SettingsPatchSchema = SettingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

/** What GET /api/settings returns: every key except the secret, plus whether the secret is set. */
export type PublicSettings = Omit<Settings, 'upload_token'> & { upload_token_set: boolean };

export function maskSettings(s: Settings): PublicSettings {
  const { upload_token, ...rest } = s;
  return { ...rest, upload_token_set: upload_token !== '' };
}
