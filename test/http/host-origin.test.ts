/** #12 item 8: strict Host parsing, and cross-site Origins refused even when any Host is accepted (HOST=0.0.0.0). */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHost } from '../../src/http/middleware/host-check.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

function get(url: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: u.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Host parsing', () => {
  it('accepts names, IPv4 and [IPv6] with a port; refuses anything else', () => {
    expect(parseHost('Example.COM:8080')).toEqual({ name: 'example.com', port: '8080' });
    expect(parseHost('[::1]:3003')).toEqual({ name: '[::1]', port: '3003' });
    expect(parseHost('10.0.0.2')).toEqual({ name: '10.0.0.2', port: null });
    for (const bad of ['[::1]evil', 'evil.example@x', 'a b', '', 'x:99999', 'host:80:80', '[::1', 'ex_ample.com']) expect(parseHost(bad), bad).toBeNull();
  });
});

describe.each([
  ['bound to 0.0.0.0, no ALLOWED_HOSTS (any Host)', { HOST: '0.0.0.0' }],
  ['bound to loopback (loopback names only)', {}],
])('%s', (_name, env) => {
  it('refuses cross-site browser Origins, opaque Origins and Sec-Fetch-Site cross-site; accepts same-origin and no Origin', async () => {
    t = await startTestApp(env, { engine: scriptedEngine().factory });
    const port = new URL(t.url).port;
    const auth = t.adminHeaders;
    const host = `localhost:${port}`;
    expect((await get(t.url, '/api/status', { ...auth, Host: host })).status).toBe(200);
    expect((await get(t.url, '/api/status', { ...auth, Host: host, Origin: `http://${host}` })).status).toBe(200);
    for (const origin of ['http://evil.example', 'null', 'not a url']) {
      const r = await get(t.url, '/api/status', { ...auth, Host: host, Origin: origin });
      expect(r.status, origin).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({ code: 'origin_not_allowed' });
    }
    expect((await get(t.url, '/api/status', { ...auth, Host: host, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await get(t.url, '/mcp', { Host: host, Origin: 'http://evil.example' })).status).toBe(403);
  });

  it('refuses a malformed Host such as "[::1]evil" with 400', async () => {
    t = await startTestApp(env, { engine: scriptedEngine().factory });
    const r = await get(t.url, '/api/status', { ...t.adminHeaders, Host: '[::1]evil' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'bad_request' });
  });
});
