/** #12 items 6 and 7: empty files are refused on both upload routes; a client abort is the client's doing (info, no stack). */
import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { eventually, memoryLogger, startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { fakePng, mediaEntries } from '../media/helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});
const auth = { Authorization: 'Bearer admin-secret-token' };

it('refuses zero-byte files on the multipart and the JSON route with 400, storing nothing', async () => {
  t = await startTestApp({ MAX_FILES_PER_UPLOAD: '3' }, { engine: scriptedEngine().factory });
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(fakePng(300))], { type: 'image/png' }), 'ok.png');
  form.append('file', new Blob([], { type: 'application/pdf' }), 'empty.pdf');
  const multi = await fetch(`${t.url}/api/upload-multipart`, { method: 'POST', headers: auth, body: form });
  expect(multi.status).toBe(400);
  expect(await multi.json()).toMatchObject({ code: 'invalid_input' });
  const json = await fetch(`${t.url}/api/upload`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ data: '', filename: 'x.pdf' }) });
  expect(json.status).toBe(400);
  await eventually(() => mediaEntries(t!).length === 0);
  expect(t.app.store.counters.get()).toMatchObject({ mediaFiles: 0 });
});

it('logs a client that aborts an upload at info (no error, no stack) and leaves no temp file', async () => {
  const { logger, lines } = memoryLogger();
  t = await startTestApp({}, { engine: scriptedEngine().factory }, undefined, logger);
  const port = Number(new URL(t.url).port);
  for (const [path, type, body] of [
    ['/api/upload-multipart', 'multipart/form-data; boundary=XyZ', '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\npartial'],
    ['/api/upload', 'application/json', '{"data": "QUJD'],
  ] as const) {
    await new Promise<void>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => {
        sock.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer admin-secret-token\r\nContent-Type: ${type}\r\nContent-Length: 100000\r\n\r\n${body}`);
        setTimeout(() => sock.destroy(), 100); // hang up mid-body
      });
      sock.on('close', () => resolve());
      sock.on('error', () => undefined);
    });
  }
  await eventually(() => lines.filter((l) => l.msg === 'request aborted by the client').length === 2);
  expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  await eventually(() => mediaEntries(t!).length === 0);
});
