/**
 * Runtime settings (SPEC §5): one zod schema for every key, used for the persisted file, env-derived
 * defaults and API updates alike. Updates are partial and strict: an unknown key is an error, so a
 * typo never silently does nothing.
 */
import { z } from 'zod';

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
