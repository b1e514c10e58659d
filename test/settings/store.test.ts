/** The settings store (src/settings/store.ts): precedence, validation that changes nothing, atomic persistence, live listeners. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createSettingsStore, SettingsValidationError } from '../../src/settings/index.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const make = (env: Record<string, string> = {}) => {
  const config = loadConfig({ DATA_DIR: dir, ...env }, []);
  return createSettingsStore({ config, logger: silentLogger() });
};

it('defaults < env < persisted file < update, and an update is persisted 0600 and applied live', () => {
  dir = mkdtempSync(join(tmpdir(), 'wa-settings-'));
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ upload_max_mb: 7, bogus: 1, auto_download_max_mb: 'x' }));
  const s = make({ UPLOAD_MAX_MB: '12', AUTO_DOWNLOAD_MAX_MB: '9' });
  expect(s.get()).toMatchObject({ upload_max_mb: 7, auto_download_max_mb: 9, upload_enabled: true });
  const seen: string[][] = [];
  s.subscribe((_n, _p, changed) => seen.push([...changed]));
  s.update({ upload_enabled: false });
  expect(s.get().upload_enabled).toBe(false);
  expect(seen).toEqual([['upload_enabled']]);
  const file = join(dir, 'settings.json');
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ upload_max_mb: 7, upload_enabled: false });
  expect(statSync(file).mode & 0o777).toBe(0o600);
  // A new process reads the overrides back.
  expect(make({ UPLOAD_MAX_MB: '12' }).get()).toMatchObject({ upload_max_mb: 7, upload_enabled: false });
});

it('a bad update is an invalid_setting AppError naming the field, and changes nothing (memory or file)', () => {
  dir = mkdtempSync(join(tmpdir(), 'wa-settings-'));
  const s = make();
  const before = s.get();
  for (const bad of [{ upload_max_mb: 0 }, { nope: true }, [], null, { max_files_per_upload: 1.5 }]) {
    let err: unknown;
    try {
      s.update(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SettingsValidationError);
    expect(err).toMatchObject({ code: 'invalid_setting', httpStatus: 400 });
  }
  expect(s.get()).toEqual(before);
  expect(existsSync(join(dir, 'settings.json'))).toBe(false);
  expect(s.getPublic()).not.toHaveProperty('upload_token');
});
