export { SettingsSchema, SettingsPatchSchema, SETTINGS_KEYS, maskSettings, type Settings, type SettingsKey, type SettingsPatch, type PublicSettings } from './schema.js';
export { createSettingsStore, settingsFromConfig, SettingsValidationError, type SettingsStore, type SettingsListener } from './store.js';
