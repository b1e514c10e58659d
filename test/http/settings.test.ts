import { readFileSync, existsSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { fakePng, json } from '../media/helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const start = (env: Record<string, string> = {}, dataDir?: string) => startTestApp(env, { engine: scriptedEngine().factory }, dataDir);
const post = (t: TestApp, body: unknown) =>
  t.api('/api/settings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('/api/settings', () => {
  it('reads every SPEC §5 key with env precedence, and never shows the upload token', async () => {
    t = await start({ UPLOAD_MAX_MB: '12', UPLOAD_TOKEN: 'super-secret-upload-token', MEDIA_PUBLIC_BASE_URL: 'https://x.example/' });
    const res = await t.api('/api/settings');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('super-secret-upload-token');
    expect(JSON.parse(text)).toEqual({
      media_public_base_url: 'https://x.example',
      upload_max_mb: 12,
      upload_enabled: true,
      max_files_per_upload: 1,
      require_upload_token: false,
      upload_token_set: true,
      auto_download_media: false,
      auto_download_max_mb: 50,
      auto_select_contact: false,
      inline_image_max_mb: 1,
      link_method: 'qr',
      // Send safety (issue #15): the test app opts out of confirm and pacing (test/helpers/app.ts).
      send_mode: 'allow',
      approve_new_recipients: false,
      read_allow: [],
      read_deny: [],
      write_allow: [],
      write_deny: [],
      pending_expiry_hours: 24,
      pacing_enabled: false,
      pace_chat_interval_s: 5,
      pace_per_minute: 12,
      pace_per_hour: 120,
      pace_new_recipients_per_day: 20,
      pace_typing: true,
      pace_jitter_ms: 1500,
    });
    expect((await fetch(`${t.url}/api/settings`)).status).toBe(401);
  });

  it('rejects invalid values with 400 naming the field, and leaves the file unchanged', async () => {
    t = await start();
    expect((await post(t, { upload_max_mb: 5 })).status).toBe(200);
    const path = t.app.config.settingsPath;
    const before = readFileSync(path, 'utf8');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ upload_max_mb: 0 }, 'upload_max_mb'],
      [{ upload_max_mb: 'big' }, 'upload_max_mb'],
      [{ max_files_per_upload: 1.5 }, 'max_files_per_upload'],
      [{ max_files_per_upload: 101 }, 'max_files_per_upload'],
      [{ upload_enabled: 'yes' }, 'upload_enabled'],
      [{ media_public_base_url: 'ftp://x' }, 'media_public_base_url'],
      [{ auto_download_max_mb: -1 }, 'auto_download_max_mb'],
      [{ no_such_setting: 1 }, 'no_such_setting'],
      [{ auto_select_contact: true, upload_max_mb: 99999 }, 'upload_max_mb'],
      [{ send_mode: 'yolo' }, 'send_mode'],
      [{ read_deny: ['not a jid'] }, 'read_deny.0'],
      [{ write_allow: 'x@s.whatsapp.net' }, 'write_allow'],
      [{ pace_per_minute: 1.5 }, 'pace_per_minute'],
      [{ link_method: 'sms' }, 'link_method'],
    ];
    for (const [body, field] of cases) {
      const res = await post(t, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const err = await json<{ error: string; code: string; details: { field: string } }>(res);
      expect(err.code).toBe('invalid_setting');
      expect(err.details.field).toBe(field);
      expect(err.error).toContain(field);
    }
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect((await json(await t.api('/api/settings'))).upload_max_mb).toBe(5);
  });

  it('persists outside the media dir (0600), applies changes live and keeps them across a restart', async () => {
    t = await start({ UPLOAD_MAX_MB: '1' });
    const tooBig = { data: fakePng(1024 * 1024 + 100).toString('base64') };
    const upload = () =>
      t!.api('/api/upload', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(tooBig) });
    expect((await upload()).status).toBe(413);
    const res = await post(t, { upload_max_mb: 3, upload_token: 'write-only-token-123456', media_public_base_url: 'https://pub.example' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ upload_max_mb: 3, upload_token_set: true });
    expect(JSON.stringify(body)).not.toContain('write-only-token-123456');
    // Applied without a restart.
    const up = await upload();
    expect(up.status).toBe(201);
    expect((await json(up)).publicUrl).toMatch(/^https:\/\/pub\.example\/media\//);
    const path = t.app.config.settingsPath;
    expect(path.startsWith(t.app.config.mediaDir)).toBe(false);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(`${t.app.config.mediaDir}/settings.json`)).toBe(false);

    const dataDir = t.dataDir;
    await t.stop({ keepData: true });
    t = await start({ UPLOAD_MAX_MB: '1' }, dataDir);
    expect(await json(await t.api('/api/settings'))).toMatchObject({ upload_max_mb: 3, upload_token_set: true, media_public_base_url: 'https://pub.example' });
    // Clearing the token.
    expect(await json(await post(t, { upload_token: '' }))).toMatchObject({ upload_token_set: false });
  });
});
