/**
 * Issue #12 item 15: with MCP_HTTP_ENABLE_JSON_RESPONSE=0, SSE streams are resumable with Last-Event-ID
 * from a per-session store of bounded size, and POST streams start with the priming event (an id, empty
 * data and `retry`) for protocol 2025-11-25 clients. Streams are cut for real (the client aborts its fetch).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BoundedEventStore } from '../../src/mcp/event-store.js';
import { eventually } from '../helpers/app.js';
import { ALICE, GROUP_BOOK, GROUP_HIKE, MCP_TOKEN, openApp, recordingGateway, seed } from './helpers.js';

const AUTH = { Authorization: `Bearer ${MCP_TOKEN}` };
const POST_HEADERS = { ...AUTH, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const VERSION = '2025-11-25';

interface SseEvent {
  id?: string;
  retry?: number;
  data: string;
}

/** Reads SSE events off a fetch body as they arrive. */
class SseReader {
  private buf = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  constructor(res: Response) {
    this.reader = res.body!.getReader();
  }
  cancel(): Promise<void> {
    return this.reader.cancel();
  }
  async next(): Promise<SseEvent | null> {
    for (;;) {
      const end = this.buf.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buf.slice(0, end);
        this.buf = this.buf.slice(end + 2);
        if (block.startsWith(':')) continue; // keep-alive comment
        const ev: SseEvent = { data: '' };
        for (const line of block.split('\n')) {
          const i = line.indexOf(':');
          const field = line.slice(0, i);
          const value = line.slice(i + 1).replace(/^ /, '');
          if (field === 'id') ev.id = value;
          else if (field === 'retry') ev.retry = Number(value);
          else if (field === 'data') ev.data += value;
        }
        return ev;
      }
      const { done, value } = await this.reader.read();
      if (done) return null;
      this.buf += this.decoder.decode(value, { stream: true });
    }
  }
  /** Reads until `stop` matches a data event (inclusive); returns the data events parsed. */
  async until(stop: (m: Msg) => boolean): Promise<Array<{ id?: string; msg: Msg }>> {
    const out: Array<{ id?: string; msg: Msg }> = [];
    for (;;) {
      const ev = await this.next();
      if (!ev) throw new Error(`stream ended after ${JSON.stringify(out)}`);
      if (!ev.data) continue;
      const msg = JSON.parse(ev.data) as Msg;
      out.push({ id: ev.id, msg });
      if (stop(msg)) return out;
    }
  }
}

interface Msg {
  id?: number;
  method?: string;
  params?: { progress?: number; uri?: string };
  result?: { structuredContent?: Record<string, unknown> };
}

function label(m: Msg): string {
  if (m.method === 'notifications/progress') return `p${m.params?.progress}`;
  if (m.method) return m.method;
  return `r${m.id}`;
}

async function rawSession(url: string): Promise<Record<string, string>> {
  const init = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: POST_HEADERS,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 'resume', version: '1' } } }),
  });
  expect(init.status).toBe(200);
  const sid = init.headers.get('mcp-session-id')!;
  await init.text();
  const headers = { ...POST_HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': VERSION };
  await (await fetch(`${url}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  return headers;
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function sseApp(env: Record<string, string> = {}) {
  const g = recordingGateway();
  const o = await openApp({ gateway: g, env: { MCP_HTTP_ENABLE_JSON_RESPONSE: '0', ...env } });
  stop = () => o.t.stop();
  seed(o.t.app.store);
  g.groups.set(GROUP_HIKE, { id: GROUP_HIKE, subject: 'Weekend Hikers', participants: [{ jid: ALICE, admin: null }] });
  g.groups.set(GROUP_BOOK, { id: GROUP_BOOK, subject: 'Book Club', participants: [{ jid: ALICE, admin: null }] });
  return { ...o, g };
}

describe('SSE resumption (MCP_HTTP_ENABLE_JSON_RESPONSE=0)', () => {
  it('a POST stream cut mid-way is resumed with Last-Event-ID: the missed progress and the result are replayed', async () => {
    const { t, g } = await sseApp();
    const headers = await rawSession(t.url);
    let release!: () => void;
    g.metaGate = new Promise<void>((r) => (release = r));
    const ctrl = new AbortController();
    const res = await fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers,
      signal: ctrl.signal,
      body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'run_group_audit', arguments: { refresh_group_info: true }, _meta: { progressToken: 'p' } } }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const sse = new SseReader(res);
    const priming = await sse.next();
    expect(priming).toMatchObject({ data: '', retry: 1000 });
    expect(priming?.id).toBeTruthy();
    const first = await sse.until((m) => m.params?.progress === 0);
    expect(first.map((e) => label(e.msg))).toEqual(['p0']);
    const cursor = first[0]!.id!;
    expect(cursor).toBeTruthy();

    ctrl.abort(); // the connection drops while the tool still runs
    await eventually(() => t.app.mcp.stats().requests === 0);
    release(); // p1, p2 and the result are produced with nobody listening

    const resumed = await fetch(`${t.url}/mcp`, { headers: { ...AUTH, accept: 'text/event-stream', 'mcp-session-id': headers['mcp-session-id']!, 'mcp-protocol-version': VERSION, 'last-event-id': cursor } });
    expect(resumed.status).toBe(200);
    const replayReader = new SseReader(resumed);
    const replay = await replayReader.until((m) => m.id === 5);
    expect(replay.map((e) => label(e.msg))).toEqual(['p1', 'p2', 'r5']);
    expect(replay.at(-1)!.msg.result?.structuredContent).toMatchObject({ summary: { refreshed: 2, refreshFailed: 0 } });
    expect(new Set(replay.map((e) => e.id)).size).toBe(3);

    // One connection per stream: close this one, then resuming from the priming event replays everything, p0 included.
    await replayReader.cancel();
    await eventually(() => t.app.mcp.stats().openStreams === 0);
    const again = await fetch(`${t.url}/mcp`, { headers: { ...AUTH, accept: 'text/event-stream', 'mcp-session-id': headers['mcp-session-id']!, 'mcp-protocol-version': VERSION, 'last-event-id': priming!.id! } });
    expect((await new SseReader(again).until((m) => m.id === 5)).map((e) => label(e.msg))).toEqual(['p0', 'p1', 'p2', 'r5']);
  });

  it('the GET notification stream is primed and resumed with Last-Event-ID: updates sent while it was cut are replayed', async () => {
    const { t } = await sseApp();
    const headers = await rawSession(t.url);
    const sub = await fetch(`${t.url}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'resources/subscribe', params: { uri: 'whatsapp://chats' } }) });
    await sub.text();
    const getHeaders = { ...AUTH, accept: 'text/event-stream', 'mcp-session-id': headers['mcp-session-id']!, 'mcp-protocol-version': VERSION };
    const ctrl = new AbortController();
    const stream = await fetch(`${t.url}/mcp`, { headers: getHeaders, signal: ctrl.signal });
    const reader = new SseReader(stream);
    const priming = await reader.next();
    expect(priming).toMatchObject({ data: '', retry: 1000 });
    t.app.mcp.notifyNewMessages([ALICE]);
    const [seen] = await reader.until((m) => m.method === 'notifications/resources/updated');
    expect(seen!.id).toBeTruthy();

    ctrl.abort();
    await eventually(() => t.app.mcp.stats().openStreams === 0);
    t.app.mcp.notifyNewMessages([ALICE]);
    t.app.mcp.notifyNewMessages([ALICE]);

    const resumed = await fetch(`${t.url}/mcp`, { headers: { ...getHeaders, 'last-event-id': seen!.id! } });
    expect(resumed.status).toBe(200);
    const r2 = new SseReader(resumed);
    const missed = [...(await r2.until(() => true)), ...(await r2.until(() => true))];
    expect(missed.map((e) => e.msg.params?.uri)).toEqual(['whatsapp://chats', 'whatsapp://chats']);
    expect(missed.every((e) => e.id && e.id !== seen!.id)).toBe(true);
    // Live again on the resumed stream.
    t.app.mcp.notifyNewMessages([ALICE]);
    expect((await r2.until(() => true)).map((e) => label(e.msg))).toEqual(['notifications/resources/updated']);
    await r2.cancel();
    await eventually(() => t.app.mcp.stats().openStreams === 0);

    // From the priming id (a client cut before its first notification): all four.
    const fromStart = new SseReader(await fetch(`${t.url}/mcp`, { headers: { ...getHeaders, 'last-event-id': priming!.id! } }));
    const all = [];
    for (let i = 0; i < 4; i++) all.push(...(await fromStart.until(() => true)));
    expect(all.map((e) => e.id)).toEqual([seen!.id, ...missed.map((e) => e.id), expect.any(String)]);
    await fromStart.cancel();
  });

  it('the per-session budget holds: the oldest streams are evicted and resuming one of them is refused', async () => {
    const { t } = await sseApp({ MCP_SSE_REPLAY_KB: '8' });
    const headers = await rawSession(t.url);
    const firstIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${t.url}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'tools/call', params: { name: 'list_messages', arguments: { chat_id: ALICE, limit: 10 } } }) });
      const ev = await new SseReader(res).until((m) => m.id === 100 + i);
      firstIds.push(ev[0]!.id!);
    }
    const resume = (id: string) =>
      fetch(`${t.url}/mcp`, { headers: { ...AUTH, accept: 'text/event-stream', 'mcp-session-id': headers['mcp-session-id']!, 'mcp-protocol-version': VERSION, 'last-event-id': id } });
    // The oldest answer is gone (each is ~3 KB, the budget 8 KB): refused, not replayed as empty.
    const old = await resume(firstIds[0]!);
    expect(old.status).toBe(400);
    await old.text();
    // The newest stream is still there; resuming after its result has nothing further but is accepted.
    const recent = await resume(firstIds.at(-1)!);
    expect(recent.status).toBe(200);
    await recent.body?.cancel();
  });
});

describe('BoundedEventStore', () => {
  it('keeps at most its byte budget, evicting the oldest first, and replays only what is retained after the cursor', async () => {
    const store = new BoundedEventStore(2_000);
    const ids: string[] = [];
    const msg = (n: number) => ({ jsonrpc: '2.0' as const, method: 'notifications/message', params: { n, pad: 'x'.repeat(200) } });
    ids.push(await store.storeEvent('s1', {} as never)); // priming: anchors a cursor, never replayed
    for (let n = 1; n <= 20; n++) ids.push(await store.storeEvent(n % 2 ? 's1' : 's2', msg(n)));
    expect(store.size.bytes).toBeLessThanOrEqual(2_000);
    expect(store.size.events).toBeLessThan(21);
    expect(store.size.events).toBeGreaterThan(3);
    const replayed: number[] = [];
    const send = (_id: string, m: unknown) => {
      replayed.push((m as { params: { n: number } }).params.n);
      return Promise.resolve();
    };
    // Cursor on an evicted event of a stream that still has retained events: what is left after it.
    expect(await store.getStreamIdForEventId(ids[1]!)).toBe('s1');
    expect(await store.replayEventsAfter(ids[1]!, { send })).toBe('s1');
    const retainedS1 = replayed.slice();
    expect(retainedS1.every((n) => n % 2 === 1)).toBe(true);
    expect(retainedS1.at(-1)).toBe(19);
    expect(retainedS1[0]).toBeGreaterThan(1); // 1 was evicted
    // Cursor in the middle: strictly after it.
    replayed.length = 0;
    await store.replayEventsAfter(ids[17]!, { send });
    expect(replayed).toEqual([19]);
    // Garbage and unknown streams are refused.
    expect(await store.getStreamIdForEventId('nonsense')).toBeUndefined();
    expect(await store.getStreamIdForEventId('5_other')).toBeUndefined();
    // An event bigger than the whole budget is not kept, and evicts everything before it.
    await store.storeEvent('s3', { jsonrpc: '2.0', method: 'x', params: { pad: 'y'.repeat(5_000) } });
    expect(store.size).toMatchObject({ events: 0, bytes: 0 });
  });
});
