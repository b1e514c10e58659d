/** #12 item 3: bad percent-encoding in a path is the client's error — 400 (or 401 before auth), never 500, logged at debug only. */
import { afterEach, expect, it } from 'vitest';
import { memoryLogger, startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { rawGet } from '../media/helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

it('answers 400 with a JSON error for %ff in every parameterised route, without and with credentials', async () => {
  const { logger, lines } = memoryLogger('debug');
  t = await startTestApp({}, { engine: scriptedEngine().factory }, undefined, logger);
  const auth = { Authorization: 'Bearer admin-secret-token' };
  for (const path of ['/media/%ff', '/api/chats/%ff/messages', '/api/avatar/%ff', '/api/export/chat/%ff']) {
    const anon = await rawGet(t.url, path);
    expect([400, 401], `${path} anonymous`).toContain(anon.status);
    const authed = await rawGet(t.url, path, auth);
    expect(authed.status, path).toBe(400);
    expect(JSON.parse(authed.body), path).toMatchObject({ code: 'bad_request' });
  }
  expect(lines.filter((l) => (l.level as number) > 20 && String(l.msg).includes('request'))).toEqual([]);
});
