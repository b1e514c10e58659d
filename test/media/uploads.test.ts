import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { fakePng, json, mediaEntries, pdf, rawGet } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const start = (env: Record<string, string> = {}) => startTestApp(env, { engine: scriptedEngine().factory });

interface Uploaded {
  filename: string;
  originalFilename: string | null;
  mimetype: string;
  size: number;
  sha256: string;
  url: string;
  publicUrl?: string;
}

function uploadJson(t: TestApp, body: unknown, headers: Record<string, string> = { Authorization: 'Bearer admin-secret-token' }) {
  return fetch(`${t.url}/api/upload`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

function uploadMultipart(t: TestApp, files: Array<{ name: string; data: Buffer; type?: string }>, headers: Record<string, string> = { Authorization: 'Bearer admin-secret-token' }) {
  const form = new FormData();
  for (const f of files) form.append('file', new Blob([new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }), f.name);
  return fetch(`${t.url}/api/upload-multipart`, { method: 'POST', headers, body: form });
}

describe('POST /api/upload (base64 JSON)', () => {
  it('stores the bytes under a random name with the sniffed type and serves them back from /media', async () => {
    t = await start();
    const data = fakePng(5_000);
    const res = await uploadJson(t, { data: data.toString('base64'), filename: 'holiday photo.png', mime_type: 'text/html' });
    expect(res.status).toBe(201);
    const up = await json<Uploaded>(res);
    expect(up.filename).toMatch(/^[a-f0-9]{32}\.png$/);
    expect(up).toMatchObject({ originalFilename: 'holiday photo.png', mimetype: 'image/png', size: 5_000, url: `/media/${up.filename}` });
    expect(up.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(up.publicUrl).toBeUndefined();
    expect(readFileSync(join(t.app.config.mediaDir, up.filename)).equals(data)).toBe(true);

    const got = await t.api(up.url);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-disposition')).toMatch(/^inline; filename="holiday photo.png"/);
    expect(Buffer.from(await got.arrayBuffer()).equals(data)).toBe(true);
  });

  it('accepts a data: URL, never serves a declared active type, and names the download safely', async () => {
    t = await start();
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const res = await uploadJson(t, { data: `data:text/html;base64,${html.toString('base64')}`, filename: '../../evil".html' });
    expect(res.status).toBe(201);
    const up = await json<Uploaded>(res);
    expect(up.mimetype).toBe('application/octet-stream');
    expect(up.filename).toMatch(/\.bin$/);
    expect(up.originalFilename).toBe('evil".html');
    const got = await t.api(up.url);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; filename="evil_.html"/);
  });

  it('answers 400 for bad base64 and leaves nothing on disk', async () => {
    t = await start();
    const before = mediaEntries(t);
    for (const data of ['not base64!!', '', 'QUJD=A', 12]) {
      const res = await uploadJson(t, { data });
      expect(res.status).toBe(400);
      expect(await json(res)).toHaveProperty('code');
    }
    expect(mediaEntries(t)).toEqual(before);
  });

  it('answers 413 over upload_max_mb and leaves nothing on disk', async () => {
    t = await start({ UPLOAD_MAX_MB: '1' });
    const before = mediaEntries(t);
    const big = fakePng(1024 * 1024 + 10);
    const res = await uploadJson(t, { data: big.toString('base64') });
    expect(res.status).toBe(413);
    expect(await json(res)).toMatchObject({ code: 'too_large' });
    // Just under the limit works (the JSON limit accounts for base64 overhead).
    const ok = await uploadJson(t, { data: fakePng(1024 * 1024 - 10).toString('base64') });
    expect(ok.status).toBe(201);
    const after = mediaEntries(t);
    expect(after.length).toBe(before.length + 1);
  });

  it('streams chunked bodies (413 over the limit without Content-Length, nothing on disk) and wants JSON (415)', async () => {
    t = await start({ UPLOAD_MAX_MB: '1' });
    const before = mediaEntries(t);
    const b64 = fakePng(1024 * 1024 + 5000).toString('base64');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const enc = new TextEncoder();
        controller.enqueue(enc.encode('{"filename":"big.png","data":"'));
        for (let i = 0; i < b64.length; i += 65_536) controller.enqueue(enc.encode(b64.slice(i, i + 65_536)));
        controller.enqueue(enc.encode('"}'));
        controller.close();
      },
    });
    const res = await fetch(`${t.url}/api/upload`, {
      method: 'POST',
      headers: { Authorization: 'Bearer admin-secret-token', 'Content-Type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(mediaEntries(t)).toEqual(before);
    const text = await fetch(`${t.url}/api/upload`, { method: 'POST', headers: { Authorization: 'Bearer admin-secret-token', 'Content-Type': 'text/plain' }, body: 'hello' });
    expect(text.status).toBe(415);
    const broken = await uploadJson(t, undefined);
    expect(broken.status).toBe(400);
  });

  it('answers 401 without a token or with a wrong one; accepts the upload token only when required', async () => {
    t = await start({ UPLOAD_TOKEN: 'upload-token-0123456789' });
    const body = { data: fakePng(100).toString('base64') };
    expect((await uploadJson(t, body, {})).status).toBe(401);
    expect((await uploadJson(t, body, { Authorization: 'Bearer wrong' })).status).toBe(401);
    // require_upload_token is off: the upload token alone is not a credential.
    expect((await uploadJson(t, body, { Authorization: 'Bearer upload-token-0123456789' })).status).toBe(401);
    const on = await t.api('/api/settings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ require_upload_token: true }) });
    expect(on.status).toBe(200);
    expect((await uploadJson(t, body, { Authorization: 'Bearer upload-token-0123456789' })).status).toBe(201);
    expect((await uploadJson(t, body, { 'X-Upload-Token': 'upload-token-0123456789' })).status).toBe(201);
    expect((await uploadJson(t, body, { Authorization: 'Bearer upload-token-wrong' })).status).toBe(401);
    expect((await uploadMultipart(t, [{ name: 'a.png', data: fakePng(10) }], { 'X-Upload-Token': 'upload-token-0123456789' })).status).toBe(201);
    expect((await uploadMultipart(t, [{ name: 'a.png', data: fakePng(10) }], {})).status).toBe(401);
  });

  it('answers 403 when uploads are disabled (applied live)', async () => {
    t = await start();
    const off = await t.api('/api/settings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ upload_enabled: false }) });
    expect(off.status).toBe(200);
    expect((await uploadJson(t, { data: fakePng(100).toString('base64') })).status).toBe(403);
    expect((await uploadMultipart(t, [{ name: 'a.png', data: fakePng(10) }])).status).toBe(403);
  });
});

describe('POST /api/upload-multipart', () => {
  it('streams files to disk with sniffed types; identical bytes are stored once', async () => {
    t = await start({ MAX_FILES_PER_UPLOAD: '3' });
    const a = fakePng(10_000);
    const b = pdf(20_000);
    const res = await uploadMultipart(t, [
      { name: 'a.png', data: a, type: 'image/png' },
      { name: 'report.pdf', data: b, type: 'application/x-evil' },
    ]);
    expect(res.status).toBe(201);
    const { files } = await json<{ files: Uploaded[] }>(res);
    expect(files.map((f) => [f.originalFilename, f.mimetype, f.size])).toEqual([
      ['a.png', 'image/png', 10_000],
      ['report.pdf', 'application/pdf', b.length],
    ]);
    expect(readFileSync(join(t.app.config.mediaDir, files[1]!.filename)).equals(b)).toBe(true);
    const again = await json<{ files: Uploaded[] }>(await uploadMultipart(t, [{ name: 'copy.png', data: a }]));
    expect(again.files[0]!.filename).toBe(files[0]!.filename);
    expect(mediaEntries(t).length).toBe(2);
  });

  it('answers 400 for too many files and leaves nothing on disk', async () => {
    t = await start({ MAX_FILES_PER_UPLOAD: '2' });
    const before = mediaEntries(t);
    const res = await uploadMultipart(t, [0, 1, 2].map((i) => ({ name: `f${i}.pdf`, data: pdf(50_000) })));
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ code: 'too_many_files' });
    expect(mediaEntries(t)).toEqual(before);
    expect(t.app.store.counters.get().mediaFiles).toBe(0);
  });

  it('answers 413 for a file over upload_max_mb (also after good files) and leaves nothing on disk', async () => {
    t = await start({ UPLOAD_MAX_MB: '1', MAX_FILES_PER_UPLOAD: '3' });
    const before = mediaEntries(t);
    const res = await uploadMultipart(t, [
      { name: 'ok.pdf', data: pdf(1000) },
      { name: 'big.pdf', data: pdf(1024 * 1024 + 1) },
    ]);
    expect(res.status).toBe(413);
    expect(mediaEntries(t)).toEqual(before);
    expect(t.app.store.counters.get().mediaFiles).toBe(0);
  });

  it('answers 400 when the body has no file', async () => {
    t = await start();
    const form = new FormData();
    form.append('note', 'hello');
    const res = await fetch(`${t.url}/api/upload-multipart`, { method: 'POST', headers: { Authorization: 'Bearer admin-secret-token' }, body: form });
    expect(res.status).toBe(400);
  });
});

describe('GET /media/:file', () => {
  it('refuses traversal (400) and unknown names (404), never lists, needs a credential or a valid signature', async () => {
    t = await start({ MEDIA_PUBLIC_BASE_URL: 'https://media.example.com/base/' });
    const up = await json<Uploaded>(await uploadJson(t, { data: fakePng(300).toString('base64') }));
    const auth = { Authorization: 'Bearer admin-secret-token' };
    for (const path of ['/media/..%2Fsettings.json', '/media/..%2F..%2Fetc%2Fpasswd', '/media/%2e%2e', '/media/.tmp-abc', '/media/..%5Cstore.sqlite', '/media/%2E%2E%2Fadmin-token']) {
      const res = await rawGet(t.url, path, auth);
      expect(res.status, path).toBe(400);
      expect(res.body).not.toContain('admin-secret-token');
    }
    // Unencoded `..` sent verbatim: routed away from /media (never a file of the data dir).
    for (const path of ['/media/../settings.json', '/media/../../etc/passwd', '/media/../admin-token']) {
      const res = await rawGet(t.url, path, auth);
      expect([400, 404], path).toContain(res.status);
    }
    for (const path of ['/media/settings.json', '/media/store.sqlite', '/media/', '/media', `/media/${'0'.repeat(32)}.png`]) {
      const res = await t.api(path);
      expect(res.status, path).toBe(404);
    }
    // No credential → 401; the signed publicUrl works alone; a tampered or expired one does not.
    expect((await fetch(`${t.url}${up.url}`)).status).toBe(401);
    expect(up.publicUrl).toMatch(new RegExp(`^https://media\\.example\\.com/base/media/${up.filename}\\?exp=\\d+&sig=[A-Za-z0-9_-]{43}$`));
    const signed = up.publicUrl!.replace('https://media.example.com/base', t.url);
    const ok = await fetch(signed);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    const tampered = signed.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect((await fetch(tampered)).status).toBe(403);
    const expired = signed.replace(/exp=\d+/, 'exp=1000');
    expect((await fetch(expired)).status).toBe(403);
    // A signature for one file does not open another.
    const other = await json<Uploaded>(await uploadJson(t, { data: pdf(100).toString('base64') }));
    expect((await fetch(`${t.url}${other.url}?${signed.split('?')[1]}`)).status).toBe(403);
  });
});
