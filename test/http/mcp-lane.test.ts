/**
 * Issue #17: the MCP fast lane serves the everyday call (POST /mcp naming a session) without Express, and
 * only that: every request a check would refuse, or of another shape, is answered by the Express route
 * exactly as before — same status, same error, failures counted once.
 */
import { request } from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../src/auth/rate-limit.js';
import { MCP_TOKEN, callOk, connectClient, startMcpApp, type McpTestApp } from '../mcp/helpers.js';

let t: McpTestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw POST /mcp (node:http, so Host, Content-Length and chunking are the test's to choose). */
function post(url: string, body: string | Buffer, headers: Record<string, string | string[]>, opts: { chunked?: boolean; path?: string } = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: u.port, path: opts.path ?? '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    if (opts.chunked) {
      req.write(body);
      req.end();
    } else {
      req.setHeader('content-length', Buffer.byteLength(body));
      req.end(body);
    }
  });
}

const AUTH = { authorization: `Bearer ${MCP_TOKEN}` };
const PING = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ping', arguments: {} } });

/** Starts the app (into `t`) with one SDK client session; the headers a raw call in that session sends. */
async function session(env: Record<string, string> = {}): Promise<{ client: Client; headers: Record<string, string> }> {
  t = await startMcpApp({ env });
  const client = await connectClient(t.url);
  const id = (client.transport as { sessionId?: string }).sessionId!;
  return { client, headers: { ...AUTH, 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' } };
}

const lane = () => t!.app.mcp.stats().fastLane;

describe('MCP fast lane', () => {
  it('serves the SDK client\'s calls, with the security headers every response carries', async () => {
    const { client, headers } = await session();
    const before = lane();
    await callOk(client, 'ping');
    await callOk(client, 'list_chats', { limit: 5 });
    expect(lane() - before).toBe(2);
    const r = await post(t!.url, PING, headers);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ id: 1, result: { structuredContent: { message: 'pong' } } });
    expect(r.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
    expect(lane() - before).toBe(3);
    await client.close();
  });

  it('leaves every refusal and every other shape to the Express route: the same answers as before', async () => {
    const { headers: h } = await session();
    const url = t!.url;
    const port = new URL(url).port;
    const before = lane();
    const cases: Array<[string, Promise<Reply>, number, RegExp]> = [
      ['no token', post(url, PING, { ...h, authorization: '' }), 401, /unauthorized/],
      ['Host not ours', post(url, PING, { ...h, host: `evil.example:${port}` }), 403, /host_not_allowed/],
      ['cross-site Origin', post(url, PING, { ...h, origin: 'http://evil.example' }), 403, /origin_not_allowed/],
      ['over 4 MB', post(url, `{"x":"${'a'.repeat(4 * 1024 * 1024)}"}`, h), 413, /too large/i],
      ['unknown session', post(url, PING, { ...h, 'mcp-session-id': 'no-such-session' }), 404, /initialize a new session/],
      ['query string', post(url, PING, h, { path: '/mcp?x=1' }), 200, /pong/],
      ['chunked body', post(url, PING, h, { chunked: true }), 200, /pong/],
      ['charset parameter', post(url, PING, { ...h, 'content-type': 'application/json; charset=utf-8' }), 200, /pong/],
      // Node keeps the first of two; the SDK sees both and refuses the pair — and so must every way in.
      ['doubled Content-Type', post(url, PING, { ...h, 'content-type': ['application/json', 'application/json'] }), 415, /Content-Type/],
    ];
    for (const [name, reply, status, body] of cases) {
      const r = await reply;
      expect(r.status, name).toBe(status);
      expect(r.body, name).toMatch(body);
      expect(r.headers['x-content-type-options'], name).toBe('nosniff');
    }
    // The lane took two of them: the unknown session (its 404 comes from the same session lookup) and the
    // doubled Content-Type (refused where the session's transport reads it, as through the route).
    expect(lane()).toBe(before + 2);
  });

  it('answers a body that is not a JSON object or array as the route does (-32700); a leading BOM is fine', async () => {
    const s = await session();
    for (const body of ['{"jsonrpc": "2.0", "id": 1, "method": ', '"just a string"', 'null', '42']) {
      const r = await post(t!.url, body, s.headers);
      expect(r.status, body).toBe(400);
      expect(JSON.parse(r.body), body).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 }, id: null });
    }
    const r = await post(t!.url, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(PING)]), s.headers);
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/pong/);
  });

  it('counts wrong tokens once each (429 over the limit); the right one is served by the lane and resets the count', async () => {
    const s = await session();
    const url = t!.url;
    const wrong = { ...s.headers, authorization: 'Bearer wrong' };
    for (let i = 0; i < 10; i++) expect((await post(url, PING, wrong)).status).toBe(401);
    // The 11th wrong attempt is over the limit (10 per minute): counted once each, by the route.
    expect((await post(url, PING, wrong)).status).toBe(429);
    const before = lane();
    // The right token is never refused, and it clears this address's count, as the route would.
    expect((await post(url, PING, s.headers)).status).toBe(200);
    expect(lane()).toBe(before + 1);
    expect((await post(url, PING, wrong)).status).toBe(401);
  });

  it('behind a trusted proxy steps aside while a failure still counts (the route works out the address)', async () => {
    const { client, headers: h } = await session({ TRUST_PROXY: 'loopback' });
    const url = t!.url;
    expect((await post(url, PING, { ...h, authorization: 'Bearer wrong', 'x-forwarded-for': '203.0.113.9' })).status).toBe(401);
    const before = lane();
    expect((await post(url, PING, { ...h, 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    expect(lane()).toBe(before);
    // The forwarded address that failed succeeds: its count is reset by the route, and the lane is back.
    expect((await post(url, PING, { ...h, 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
    expect((await post(url, PING, h)).status).toBe(200);
    expect(lane()).toBe(before + 1);
    await client.close();
  });
});

describe('FailureLimiter.clean', () => {
  it('is false while a failure counts and true again once its window has passed', () => {
    let now = 1_000;
    const limiter = new FailureLimiter({ windowMs: 60_000, now: () => now });
    expect(limiter.clean).toBe(true);
    limiter.fail('203.0.113.9');
    now += 30_000;
    limiter.fail('203.0.113.10');
    now += 45_000;
    expect(limiter.clean).toBe(false);
    now += 15_000;
    expect(limiter.clean).toBe(true);
    expect(limiter.retryAfterMs('203.0.113.10')).toBe(0);
  });
});
