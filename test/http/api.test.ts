import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function json(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

describe('/healthz', () => {
  it('is public and follows the lifecycle: 200 in grace, 200 open, 503 stuck', async () => {
    const engine = scriptedEngine();
    t = await startTestApp({}, { engine: engine.factory });
    let res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ ok: true, state: 'connecting' });

    engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900001@s.whatsapp.net' } });
    res = await fetch(`${t.url}/healthz`);
    expect(await json(res)).toMatchObject({ ok: true, state: 'open', reason: null });

    engine.emit({ type: 'ENGINE.CLOSED', code: 440, reason: 'replaced', selfInflicted: false });
    res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await json(res)).toMatchObject({ ok: false, state: 'stuck', reason: 'replaced' });
  });

  it('turns 503 once the readiness grace has passed without an open', async () => {
    t = await startTestApp({ WA_READINESS_GRACE_MS: '100' });
    const body = await eventually(async () => {
      const res = await fetch(`${t!.url}/healthz`);
      return res.status === 503 ? json(res) : null;
    });
    expect(body).toMatchObject({ ok: false, state: 'connecting' });
    expect(String(body?.reason)).toMatch(/grace/);
  });
});

describe('auth', () => {
  it('refuses /api without a credential, with a wrong one, and accepts the admin bearer', async () => {
    t = await startTestApp();
    let res = await fetch(`${t.url}/api/state`);
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ code: 'unauthorized' });
    res = await fetch(`${t.url}/api/state`, { headers: { Authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    res = await fetch(`${t.url}/api/state`, { headers: { Authorization: 'Bearer mcp-secret-token' } });
    expect(res.status).toBe(401);
    res = await t.api('/api/state');
    expect(res.status).toBe(200);
    res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(401);
  });

  it('exchanges the admin token for an HttpOnly SameSite=Strict cookie and requires CSRF on POST', async () => {
    t = await startTestApp();
    let res = await fetch(`${t.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'wrong' }),
    });
    expect(res.status).toBe(401);
    res = await fetch(`${t.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'admin-secret-token' }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const cookie = setCookie.split(';')[0]!;

    res = await fetch(`${t.url}/api/status`, { headers: { cookie } });
    expect(res.status).toBe(200);
    res = await fetch(`${t.url}/api/restart-wa`, { method: 'POST', headers: { cookie } });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ code: 'csrf' });
    res = await fetch(`${t.url}/api/restart-wa`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(res.status).toBe(202);

    res = await fetch(`${t.url}/api/session`, { method: 'DELETE', headers: { cookie } });
    expect(res.status).toBe(204);
    res = await fetch(`${t.url}/api/status`, { headers: { cookie } });
    expect(res.status).toBe(401);
  });

  it('rejects a foreign Host or Origin on /api (DNS rebinding)', async () => {
    t = await startTestApp();
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${t!.url}/api/status`);
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers: { Host: 'evil.example', ...t!.adminHeaders } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
    const res = await t.api('/api/status', { headers: { Origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ code: 'origin_not_allowed' });
  });

  it('AUTH_DISABLED=1 is an explicit opt-out', async () => {
    t = await startTestApp({ AUTH_DISABLED: '1' });
    const res = await fetch(`${t.url}/api/status`);
    expect(res.status).toBe(200);
  });
});

describe('state API', () => {
  it('serves the machine definitions with every public state', async () => {
    t = await startTestApp();
    const res = await t.api('/api/state/machine');
    const text = await res.text();
    for (const s of ['connecting', 'awaiting-qr', 'open', 'soft-resync', 'restarting', 'stuck']) {
      expect(text).toContain(`"${s}"`);
    }
    const body = JSON.parse(text) as { supervisor: { id: string }; connection: { id: string } };
    expect(body.supervisor.id).toBe('supervisor');
    expect(body.connection.id).toBe('connection');
  });

  it('reports status without the QR string and with deadlines', async () => {
    const engine = scriptedEngine();
    t = await startTestApp({}, { engine: engine.factory });
    engine.emit({ type: 'ENGINE.QR', qr: 'secret-pairing-ref' });
    const res = await t.api('/api/status');
    const body = await json(res);
    expect(body).toMatchObject({ state: 'awaiting-qr', qrAvailable: true, authenticated: false, ready: false });
    expect(JSON.stringify(body)).not.toContain('secret-pairing-ref');
    expect(body.deadlines).toHaveProperty('graceAt');
  });

  it('commands answer 202 with the resulting state, 409 when the state refuses them', async () => {
    const engine = scriptedEngine();
    t = await startTestApp({}, { engine: engine.factory });
    engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900001@s.whatsapp.net' } });
    let res = await t.api('/api/force-resync', { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ accepted: true, state: 'soft-resync' });
    expect(engine.commands.at(-1)).toEqual({ type: 'RESYNC', collection: 'all' });

    engine.emit({ type: 'ENGINE.CLOSED', code: 440, reason: 'replaced', selfInflicted: false });
    res = await t.api('/api/force-resync', { method: 'POST' });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ code: 'wrong_state' });

    res = await t.api('/api/restart-wa', { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ state: 'connecting' });
    res = await t.api('/api/logout', { method: 'POST' });
    expect(res.status).toBe(202);
    expect(engine.commands.map((c) => c.type)).toContain('LOGOUT');
  });

  it('streams a transition over SSE after a command', async () => {
    const engine = scriptedEngine();
    t = await startTestApp({}, { engine: engine.factory });
    engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900001@s.whatsapp.net' } });
    const ctrl = new AbortController();
    const res = await t.api('/api/state/stream', { signal: ctrl.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    const readUntil = async (needle: string) => {
      while (!buf.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += value;
      }
    };
    await readUntil('event: state');
    expect(buf).toContain('"open"');
    const cmd = await t.api('/api/restart-wa', { method: 'POST' });
    expect(cmd.status).toBe(202);
    await readUntil('"event":"RESTART"');
    await readUntil('"state":"restarting"');
    ctrl.abort();
  });
});

describe('SSE heartbeat', () => {
  it('keeps an idle stream alive with comment lines', async () => {
    t = await startTestApp({}, { sseHeartbeatMs: 30 });
    const ctrl = new AbortController();
    const res = await t.api('/api/state/stream', { signal: ctrl.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    while (!buf.includes(': heartbeat')) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
    }
    ctrl.abort();
    expect(buf).toMatch(/^: heartbeat \d+$/m);
  });
});

describe('errors are JSON', () => {
  it('bad JSON → 400, unknown route → 404, wrong method → 405, never HTML', async () => {
    t = await startTestApp();
    let res = await t.api('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ code: 'invalid_json' });
    res = await t.api('/api/nope');
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ code: 'not_found' });
    res = await fetch(`${t.url}/nope`);
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ code: 'not_found' });
    res = await t.api('/api/state', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    res = await t.api('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await json(res)).toMatchObject({ code: 'too_large' });
  });
});

describe('metrics', () => {
  it('exposes the lifecycle state in Prometheus format', async () => {
    t = await startTestApp();
    const res = await t.api('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('wa_connection_state{state="connecting"} 1');
    expect(text).toContain('wa_connection_state{state="open"} 0');
  });
});
