/** Send safety: open state required, idempotency keys (also across a restart), concurrent duplicates, dedup window. */
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { eventually } from '../helpers/app.js';
import { ALICE, BOB, callErr, callOk, connectClient, openApp, recordingGateway, seed, startMcpApp, type McpTestApp } from './helpers.js';

interface Sent {
  messageId: string;
  chatId: string;
  timestamp: number;
  deduplicated: boolean;
  idempotencyKey: string | null;
}

const apps: McpTestApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
});

describe('sending requires an open connection', () => {
  it('refuses with the state, the next retry and a next step, and sends nothing', async () => {
    const engine = scriptedEngine();
    const gw = recordingGateway();
    const t = await startMcpApp({ engine: engine.factory, gateway: gw, env: { WA_BACKOFF_BASE_MS: '12000', WA_BACKOFF_JITTER: '0' } });
    apps.push(t);
    const c = await connectClient(t.url);
    expect(await callErr(c, 'send_message', { recipient_jid: BOB, message: 'hi' })).toMatch(/WhatsApp is not connected \(state: connecting\)/);
    engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900000@s.whatsapp.net' } });
    await t.app.runtime.waitFor((s) => s.state === 'open', 2_000);
    engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'connection closed', selfInflicted: false });
    await t.app.runtime.waitFor((s) => s.state !== 'open', 2_000);
    const text = await callErr(c, 'send_message', { recipient_jid: BOB, message: 'hi', idempotency_key: 'k-closed' });
    expect(text).toMatch(/WhatsApp is not connected \(state: connecting, retry in ~1[0-2] s\)/);
    expect(text).toMatch(/check_auth_status/);
    expect(gw.sent).toHaveLength(0);
    // The failed attempt did not burn the key: once open, the same key sends.
    engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900000@s.whatsapp.net' } });
    await t.app.runtime.waitFor((s) => s.state === 'open', 2_000);
    expect(await callOk(c, 'send_message', { recipient_jid: BOB, message: 'hi', idempotency_key: 'k-closed' })).toMatchObject({ deduplicated: false });
    expect(gw.sent).toHaveLength(1);
    await c.close();
  });

  it('a gateway failure is an isError result and releases the idempotency key', async () => {
    const o = await openApp();
    apps.push(o.t);
    const c = await connectClient(o.t.url);
    o.gateway.connected = false;
    expect(await callErr(c, 'send_message', { recipient_jid: BOB, message: 'x', idempotency_key: 'k-fail' })).toMatch(/not connected/);
    o.gateway.connected = true;
    expect(await callOk(c, 'send_message', { recipient_jid: BOB, message: 'x', idempotency_key: 'k-fail' })).toMatchObject({ deduplicated: false });
    expect(o.gateway.sent).toHaveLength(1);
    await c.close();
  });
});

describe('recipients (#12 item 9)', () => {
  it('refuses malformed or undeliverable recipients with a next step; nothing is sent, stored or claimed', async () => {
    const o = await openApp();
    apps.push(o.t);
    const c = await connectClient(o.t.url);
    const before = o.t.app.store.counters.get();
    for (const bad of ['a@b@c', '0@s.whatsapp.net', 'status@broadcast', '123@broadcast', 'abc@s.whatsapp.net', 'x@newsletter', '+0 123', 'hello']) {
      for (const tool of ['send_message', 'send_media'] as const) {
        const args = tool === 'send_message' ? { recipient_jid: bad, message: 'hi', idempotency_key: `bad-${bad}` } : { recipient_jid: bad, media_content: 'QUJD', mime_type: 'text/plain' };
        expect(await callErr(c, tool, args), `${tool} ${bad}`).toMatch(/not a WhatsApp (id|person or group).*Pass a person/);
      }
    }
    expect(o.gateway.sent).toEqual([]);
    expect(o.t.app.store.counters.get()).toEqual(before);
    // The keys were never claimed: the same key works for a valid recipient.
    expect(await callOk(c, 'send_message', { recipient_jid: BOB, message: 'hi', idempotency_key: 'bad-a@b@c' })).toMatchObject({ deduplicated: false });
    await c.close();
  });
});

describe('idempotency keys', () => {
  it('same key + same parameters returns the stored result; other parameters or another tool are refused', async () => {
    const o = await openApp();
    apps.push(o.t);
    seed(o.t.app.store);
    const c = await connectClient(o.t.url);
    const first = await callOk<Sent>(c, 'send_message', { recipient_jid: BOB, message: 'Order #1', idempotency_key: 'order-1' });
    expect(first).toMatchObject({ chatId: BOB, deduplicated: false, idempotencyKey: 'order-1' });
    // Same parameters, recipient written differently: the same request.
    const again = await callOk<Sent>(c, 'send_message', { recipient_jid: '+44 7700 900002', message: 'Order #1', idempotency_key: 'order-1' });
    expect(again).toEqual({ ...first, deduplicated: true });
    expect(o.gateway.sent).toHaveLength(1);
    expect(await callErr(c, 'send_message', { recipient_jid: BOB, message: 'Order #2', idempotency_key: 'order-1' })).toMatch(
      /idempotency key "order-1".*different parameters.*new idempotency_key/i,
    );
    expect(await callErr(c, 'send_message', { recipient_jid: ALICE, message: 'Order #1', idempotency_key: 'order-1' })).toMatch(/different parameters/);
    expect(await callErr(c, 'logout', { idempotency_key: 'order-1' })).toMatch(/already used by tool send_message/);
    expect(o.t.app.runtime.getStatus().state).toBe('open');
    expect(o.engine.commands.some((x) => x.type === 'LOGOUT')).toBe(false);
    expect(o.gateway.sent).toHaveLength(1);
    await c.close();
  });

  it('concurrent calls with the same key (from different sessions) send once', async () => {
    const o = await openApp();
    apps.push(o.t);
    let open!: () => void;
    o.gateway.gate = new Promise<void>((r) => (open = r));
    const clients = await Promise.all(Array.from({ length: 5 }, () => connectClient(o.t.url)));
    const calls = clients.map((c) => callOk<Sent>(c, 'send_message', { recipient_jid: BOB, message: 'once', idempotency_key: 'race-1' }));
    // Every call is being answered (one sending, four waiting on its key) before the send completes.
    await eventually(() => o.t.app.mcp.stats().requests === 5);
    expect(o.gateway.sent).toHaveLength(1);
    open();
    const results = await Promise.all(calls);
    expect(o.gateway.sent).toHaveLength(1);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('survives a server restart on the same DATA_DIR', async () => {
    const first = await openApp();
    const c1 = await connectClient(first.t.url);
    const sent = await callOk<Sent>(c1, 'send_message', { recipient_jid: BOB, message: 'before restart', idempotency_key: 'restart-1' });
    await c1.close();
    await first.t.stop({ keepData: true });

    const second = await openApp({ dataDir: first.t.dataDir });
    apps.push(second.t);
    const c2 = await connectClient(second.t.url);
    const again = await callOk<Sent>(c2, 'send_message', { recipient_jid: BOB, message: 'before restart', idempotency_key: 'restart-1' });
    expect(again).toEqual({ ...sent, deduplicated: true });
    expect(second.gateway.sent).toHaveLength(0);
    expect(await callErr(c2, 'send_message', { recipient_jid: BOB, message: 'changed', idempotency_key: 'restart-1' })).toMatch(/different parameters/);
    await c2.close();
  });
});

describe('duplicate-text window', () => {
  it('identical text to the same chat within the window returns the first result', async () => {
    const o = await openApp();
    apps.push(o.t);
    const c = await connectClient(o.t.url);
    const a = await callOk<Sent>(c, 'send_message', { recipient_jid: BOB, message: 'Running late' });
    const b = await callOk<Sent>(c, 'send_message', { recipient_jid: BOB, message: 'Running late' });
    expect(b).toEqual({ ...a, deduplicated: true });
    await callOk(c, 'send_message', { recipient_jid: BOB, message: 'Running very late' });
    await callOk(c, 'send_message', { recipient_jid: ALICE, message: 'Running late' });
    expect(o.gateway.sent.map((s) => [s.jid, s.text])).toEqual([
      [BOB, 'Running late'],
      [BOB, 'Running very late'],
      [ALICE, 'Running late'],
    ]);
    await c.close();
  });

  it('WA_SEND_DEDUP_WINDOW_MS=0 disables the window', async () => {
    const o = await openApp({ env: { WA_SEND_DEDUP_WINDOW_MS: '0' } });
    apps.push(o.t);
    const c = await connectClient(o.t.url);
    const a = await callOk<Sent>(c, 'send_message', { recipient_jid: BOB, message: 'ping' });
    const b = await callOk<Sent>(c, 'send_message', { recipient_jid: BOB, message: 'ping' });
    expect(b.deduplicated).toBe(false);
    expect(b.messageId).not.toBe(a.messageId);
    expect(o.gateway.sent).toHaveLength(2);
    await c.close();
  });

  it('a new idempotency_key bypasses the window: the caller said the sends are distinct', async () => {
    const o = await openApp();
    apps.push(o.t);
    const c = await connectClient(o.t.url);
    const a = await callOk<Sent>(c, 'send_message', { recipient_jid: BOB, message: 'Happy birthday!', idempotency_key: 'bday-1' });
    const b = await callOk<Sent>(c, 'send_message', { recipient_jid: BOB, message: 'Happy birthday!', idempotency_key: 'bday-2' });
    expect(b.deduplicated).toBe(false);
    expect(b.messageId).not.toBe(a.messageId);
    // The same key is still at most once.
    expect(await callOk<Sent>(c, 'send_message', { recipient_jid: BOB, message: 'Happy birthday!', idempotency_key: 'bday-2' })).toMatchObject({ deduplicated: true, messageId: b.messageId });
    expect(o.gateway.sent).toHaveLength(2);
    await c.close();
  });
});
