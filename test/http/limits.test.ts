/**
 * #12 items 4 and 5: bodies are read only after authentication; idle requests are cut while
 * authenticated streams stay open; unauthenticated connections per address are capped; wrong credentials
 * are rate-limited per socket address (X-Forwarded-For is not trusted by default) and the right credential
 * is never refused.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { connectClient } from '../mcp/helpers.js';

let t: TestApp | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await t?.stop();
  t = undefined;
});

const start = (opts: { idleTimeoutMs?: number; maxUnauthenticatedPerAddress?: number } = {}) => startTestApp({}, { engine: scriptedEngine().factory, ...opts });

function rawSocket(url: string): Promise<{ sock: Socket; closed: () => boolean; data: () => string }> {
  const port = Number(new URL(url).port);
  return new Promise((resolve, reject) => {
    let closed = false;
    let data = '';
    const sock = connect(port, '127.0.0.1', () => resolve({ sock, closed: () => closed, data: () => data }));
    sockets.push(sock);
    sock.on('data', (d: Buffer) => (data += d.toString()));
    sock.on('close', () => (closed = true));
    sock.on('error', reject);
  });
}

describe('authentication before bodies', () => {
  it('an unauthenticated request with a bad JSON body is 401, an authenticated one 400', async () => {
    t = await start();
    const post = (headers: Record<string, string>) => fetch(`${t!.url}/api/settings`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{not json' });
    expect((await post({})).status).toBe(401);
    expect((await post(t.adminHeaders)).status).toBe(400);
  });
});

describe('connection limits', () => {
  it('cuts a request whose body stops arriving, but keeps an authenticated MCP notification stream open', async () => {
    t = await start({ idleTimeoutMs: 400 });
    const head = (auth: string) => `POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"da`;
    // Unauthenticated: refused before the body is read, and the connection is closed right away.
    const anon = await rawSocket(t.url);
    anon.sock.write(head(''));
    await eventually(() => anon.closed(), 5_000);
    expect(anon.data()).toMatch(/^HTTP\/1.1 401/);
    // Authenticated but stalled mid-body: cut by the idle timeout.
    const slow = await rawSocket(t.url);
    slow.sock.write(head('Authorization: Bearer admin-secret-token\r\n'));
    await eventually(() => slow.closed(), 5_000);

    const client = await connectClient(t.url);
    await eventually(() => t!.app.mcp.stats().openStreams === 1, 5_000);
    // Well past the idle timeout with nothing on the wire, the stream is still there and usable.
    await new Promise((r) => setTimeout(r, 1_200));
    expect(t.app.mcp.stats().openStreams).toBe(1);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it('closes connections from one address beyond the unauthenticated cap; authenticated ones do not count', async () => {
    t = await start({ maxUnauthenticatedPerAddress: 3 });
    const idle = await Promise.all([1, 2, 3].map(() => rawSocket(t!.url)));
    const fourth = await rawSocket(t.url);
    await eventually(() => fourth.closed(), 5_000);
    expect(idle.every((s) => !s.closed())).toBe(true);
    // One of them authenticates: it no longer counts, so a new connection is accepted.
    idle[0]!.sock.write(`GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer admin-secret-token\r\n\r\n`);
    await eventually(() => idle[0]!.data().startsWith('HTTP/1.1 200'), 5_000);
    const fifth = await rawSocket(t.url);
    fifth.sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    await eventually(() => fifth.data().startsWith('HTTP/1.1 200'), 5_000);
  });
});

describe('failed-credential limiter', () => {
  it('limits wrong admin logins per socket address whatever X-Forwarded-For says; the right token still works', async () => {
    t = await start();
    const login = (token: string, xff: string) =>
      fetch(`${t!.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': xff }, body: JSON.stringify({ token }) });
    for (let i = 0; i < 10; i++) expect((await login('wrong', `10.0.0.${i}`)).status).toBe(401);
    const limited = await login('wrong', '10.9.9.9');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login('admin-secret-token', '10.9.9.9')).status).toBe(200);
  });

  it('with TRUST_PROXY=loopback, the forwarded address is the one limited', async () => {
    t = await startTestApp({ TRUST_PROXY: 'loopback' }, { engine: scriptedEngine().factory });
    const login = (xff: string) =>
      fetch(`${t!.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': xff }, body: JSON.stringify({ token: 'wrong' }) });
    for (let i = 0; i < 12; i++) expect((await login(`10.0.0.${i}`)).status).toBe(401);
    for (let i = 0; i < 10; i++) expect((await login('10.1.1.1')).status).toBe(401);
    expect((await login('10.1.1.1')).status).toBe(429);
  });

  it('counts wrong bearer tokens on /api and /mcp too, and never refuses the right one', async () => {
    t = await start();
    const api = (token: string) => fetch(`${t!.url}/api/status`, { headers: { Authorization: `Bearer ${token}` } });
    const mcp = (token: string) => fetch(`${t!.url}/mcp`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' });
    for (let i = 0; i < 5; i++) expect((await api('nope')).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await mcp('nope')).status).toBe(401);
    expect((await api('nope')).status).toBe(429);
    expect((await mcp('nope')).status).toBe(429);
    expect((await api('admin-secret-token')).status).toBe(200);
    const client = await connectClient(t.url);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });
});
