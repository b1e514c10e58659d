/**
 * #16 item 4 on the server: a session's live streams end when it signs out (DELETE /api/session) or
 * expires; the stream says why first (`session-ended`), and a bearer-token stream is not tied to any session.
 */
import type { Request } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, SessionStore } from '../../src/auth/sessions.js';
import { SessionStreams } from '../../src/http/routes/session-streams.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** Reads an SSE response to its end (or until `stopAt` matches), collecting the event names. */
async function readEvents(res: Response, stopAt?: RegExp): Promise<{ events: string[]; ended: boolean; text: string }> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { events: [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]!), ended: true, text };
    text += dec.decode(value, { stream: true });
    if (stopAt?.test(text)) {
      await reader.cancel();
      return { events: [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]!), ended: false, text };
    }
  }
}

async function signIn(url: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: 'admin-secret-token' }) });
  const cookie = /wa_admin=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken };
}

describe('session streams', () => {
  it('DELETE /api/session ends every stream of that session (with a session-ended event) and leaves other sessions and bearer streams alone', async () => {
    const engine = scriptedEngine();
    t = await startTestApp({}, { engine: engine.factory, sseHeartbeatMs: 60_000 });
    const a = await signIn(t.url);
    const b = await signIn(t.url);
    const open = (headers: Record<string, string>) => fetch(`${t!.url}/api/state/stream`, { headers: { Accept: 'text/event-stream', ...headers } });
    const tab1 = await open({ Cookie: a.cookie });
    const tab2 = await open({ Cookie: a.cookie });
    const other = await open({ Cookie: b.cookie });
    const bearer = await open(t.adminHeaders);
    for (const r of [tab1, tab2, other, bearer]) expect(r.status).toBe(200);

    const reading = [readEvents(tab1), readEvents(tab2)];
    const del = await fetch(`${t.url}/api/session`, { method: 'DELETE', headers: { Cookie: a.cookie, 'X-CSRF-Token': a.csrf } });
    expect(del.status).toBe(204);
    for (const r of await Promise.all(reading)) {
      expect(r.ended).toBe(true);
      expect(r.events.at(-1)).toBe('session-ended');
      expect(r.text).toContain('"reason":"signed-out"');
    }
    // The others still stream: a lifecycle change reaches them.
    const stillOther = readEvents(other, /event: transition/);
    const stillBearer = readEvents(bearer, /event: transition/);
    engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900001@s.whatsapp.net' } });
    for (const r of await Promise.all([stillOther, stillBearer])) {
      expect(r.ended).toBe(false);
      expect(r.events).not.toContain('session-ended');
    }
    // And the signed-out cookie cannot open a new one.
    expect((await open({ Cookie: a.cookie })).status).toBe(401);
  });

  it('an expiring session ends its streams by itself', async () => {
    const sessions = new SessionStore(150);
    const streams = new SessionStreams(sessions);
    const s = sessions.create();
    const req = { headers: { cookie: `${SESSION_COOKIE}=${s.id}` } } as unknown as Request;
    const ended: string[] = [];
    streams.attach(req, (why) => ended.push(why));
    expect(streams.count(s.id)).toBe(1);
    await eventually(() => ended.length === 1, 5_000);
    expect(ended).toEqual(['expired']);
    expect(streams.count()).toBe(0);
    // A request without a session cookie is tied to nothing.
    const release = streams.attach({ headers: {} } as unknown as Request, () => ended.push('never'));
    release();
    expect(streams.count()).toBe(0);
  });
});
