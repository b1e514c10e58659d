/**
 * MCP benchmark (issue #6): the real server (Streamable HTTP, JSON responses) in a child process over a
 * store of 10k chats / 1M messages; the load generator (raw JSON-RPC over keep-alive HTTP, no SDK client
 * overhead) in this process.
 *
 *   npx tsx bench/run.ts mcp
 *   MCP_BENCH_MESSAGES=200000 npx tsx bench/run.ts mcp     # quicker
 *
 * Figures: ping round trip p50/p99 (one session, sequential); tool calls per second with 50 concurrent
 * sessions for list_chats and search_messages; server heap per idle session (after GC).
 * Prints `BENCH <name> <value> <unit>` lines.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { createApp } from '../src/app.js';
import { openStore } from '../src/store/index.js';
import { DEFAULT_CONFIG, generateMessages, makeChats, makeContacts, makeVocab, pickQueries } from './store-data.js';

const TOKEN = 'bench-token';
const SESSIONS = 50;
const DURATION_MS = Number(process.env.MCP_BENCH_SECONDS ?? 8) * 1000;

function bench(name: string, value: number, unit: string): void {
  const v = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000;
  console.log(`BENCH ${name} ${v} ${unit}`);
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

// ------------------------------------------------------------------------------------------ server
type ServerMsg = { type: 'ready'; url: string } | { type: 'mem'; heapUsed: number; rss: number; sessions: number };

async function serve(dataDir: string): Promise<void> {
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', MCP_AUTH_TOKEN: TOKEN, ADMIN_TOKEN: 'bench-admin', MCP_MAX_SESSIONS: '5000' }, []);
  // No WhatsApp engine: reads come from the store, exactly as when connected.
  const app = createApp(config, silentLogger(), { engine: () => ({ handle: () => {}, dispose: () => {} }) });
  const { url } = await app.start();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'mem') {
      for (let i = 0; i < 3; i++) globalThis.gc?.();
      const mu = process.memoryUsage();
      process.send!({ type: 'mem', heapUsed: mu.heapUsed, rss: mu.rss, sessions: app.mcp.stats().sessions } satisfies ServerMsg);
    } else if (m.type === 'stop') {
      // process.exit() skips --cpu-prof output; let the event loop end instead.
      void app.stop().then(() => process.disconnect());
    }
  });
  process.send!({ type: 'ready', url } satisfies ServerMsg);
}

// ------------------------------------------------------------------------------------------ data
function buildStore(dataDir: string, messages: number): { ms: number; queries: string[] } {
  const cfg = { ...DEFAULT_CONFIG, messages, chats: 10_000, groups: 1_000, contacts: 20_000, batchSize: 2_000 };
  const store = openStore(join(dataDir, 'store.sqlite'));
  const t0 = performance.now();
  const contacts = makeContacts(cfg);
  store.contacts.upsertContacts(contacts.map((c) => ({ id: c.id, name: c.name, pushname: c.pushname })));
  const chats = makeChats(cfg);
  store.chats.upsertChats(chats.map((c) => ({ id: c.id, name: c.name, isGroup: c.isGroup })));
  const vocab = makeVocab(cfg.seed);
  const tracked = pickQueries(vocab);
  for (const batch of generateMessages(cfg, vocab, chats, tracked, false)) store.messages.upsertMessages(batch);
  const ms = performance.now() - t0;
  store.close();
  return { ms, queries: tracked.filter((q) => q.cls === 'medium' || q.cls === 'frequent' || q.cls === 'phrase').map((q) => q.query) };
}

// ------------------------------------------------------------------------------------------ client
class Session {
  private id = '';
  private seq = 0;
  constructor(private readonly url: string) {}

  private async post(body: unknown): Promise<Response> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (this.id) {
      headers['mcp-session-id'] = this.id;
      headers['mcp-protocol-version'] = '2025-06-18';
    }
    return fetch(`${this.url}/mcp`, { method: 'POST', headers, body: JSON.stringify(body) });
  }

  async open(): Promise<this> {
    const res = await this.post({
      jsonrpc: '2.0',
      id: ++this.seq,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    });
    this.id = res.headers.get('mcp-session-id') ?? '';
    await res.text();
    if (!this.id) throw new Error(`initialize failed: ${res.status}`);
    const ack = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await ack.text();
    return this;
  }

  async request(method: string, params: unknown): Promise<unknown> {
    const res = await this.post({ jsonrpc: '2.0', id: ++this.seq, method, params });
    const body = (await res.json()) as { result?: { isError?: boolean }; error?: unknown };
    if (body.error || body.result?.isError) throw new Error(`${method} failed: ${JSON.stringify(body).slice(0, 300)}`);
    return body.result;
  }

  callTool(name: string, args: Record<string, unknown>): Promise<unknown> {
    return this.request('tools/call', { name, arguments: args });
  }

  async close(): Promise<void> {
    const res = await fetch(`${this.url}/mcp`, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}`, 'mcp-session-id': this.id } });
    await res.text();
  }
}

async function throughput(sessions: Session[], call: (s: Session, i: number) => Promise<unknown>): Promise<{ perSec: number; p50: number; p99: number }> {
  const lat: number[] = [];
  const end = performance.now() + DURATION_MS;
  let n = 0;
  const t0 = performance.now();
  await Promise.all(
    sessions.map(async (s) => {
      while (performance.now() < end) {
        const a = performance.now();
        await call(s, n++);
        lat.push(performance.now() - a);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  return { perSec: lat.length / secs, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) };
}

function ask(child: ChildProcess, type: string): Promise<ServerMsg> {
  return new Promise((resolve) => {
    child.once('message', (m: ServerMsg) => resolve(m));
    child.send({ type });
  });
}

async function main(): Promise<void> {
  const messages = Number(process.env.MCP_BENCH_MESSAGES ?? 1_000_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'mcp-bench-'));
  console.log(`# mcp bench: 10000 chats, ${messages} messages, ${SESSIONS} sessions, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
  bench('load_avg_1m_start', loadavg()[0] ?? 0, 'load');
  // CPU calibration: this box's speed for plain JS, so figures from different machines can be compared.
  {
    const t0 = performance.now();
    let x = 0;
    for (let i = 0; i < 50_000_000; i++) x = (x + i * 7) % 1_000_003;
    bench('cpu_calibration_loop_50m', performance.now() - t0 + (x < 0 ? 1 : 0), 'ms');
  }
  const built = buildStore(dataDir, messages);
  bench('mcp_store_messages', messages, 'msgs');
  bench('mcp_store_build', built.ms / 1000, 's');
  bench('mcp_store_db_size', statSync(join(dataDir, 'store.sqlite')).size / 1024 / 1024, 'MB');

  // MCP_BENCH_CPU_PROF=<dir> writes a CPU profile of the server process there.
  const prof = process.env.MCP_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MCP_BENCH_CPU_PROF}`] : [];
  const child = fork(fileURLToPath(import.meta.url), ['--serve', dataDir], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...prof],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await new Promise<ServerMsg>((resolve, reject) => {
      child.once('message', (m: ServerMsg) => resolve(m));
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    if (ready.type !== 'ready') throw new Error('unexpected server message');
    const url = ready.url;

    // 1. ping round trip, one session, sequential.
    const one = await new Session(url).open();
    for (let i = 0; i < 300; i++) await one.callTool('ping', {});
    const pings: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const a = performance.now();
      await one.callTool('ping', {});
      pings.push(performance.now() - a);
    }
    bench('mcp_ping_p50', quantile(pings, 0.5), 'ms');
    bench('mcp_ping_p99', quantile(pings, 0.99), 'ms');
    const rpcPings: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const a = performance.now();
      await one.request('ping', {});
      rpcPings.push(performance.now() - a);
    }
    bench('mcp_jsonrpc_ping_p50', quantile(rpcPings, 0.5), 'ms');
    const lists: number[] = [];
    for (let i = 0; i < 200; i++) {
      const a = performance.now();
      await one.request('tools/list', {});
      lists.push(performance.now() - a);
    }
    bench('mcp_tools_list_p50', quantile(lists, 0.5), 'ms');
    // Sequential (one session) figures, to separate per-call cost from contention under 50 sessions.
    for (const [tool, args] of [
      ['list_chats', (_i: number) => ({ limit: 20 })],
      ['search_messages', (i: number) => ({ query: built.queries[i % built.queries.length]!, limit: 20 })],
    ] as const) {
      const xs: number[] = [];
      for (let i = 0; i < 200; i++) {
        const a = performance.now();
        await one.callTool(tool, args(i));
        xs.push(performance.now() - a);
      }
      bench(`mcp_${tool}_sequential_p50`, quantile(xs, 0.5), 'ms');
      bench(`mcp_${tool}_sequential_p99`, quantile(xs, 0.99), 'ms');
    }
    await one.close();

    // 2. 50 concurrent sessions.
    const sessions = await Promise.all(Array.from({ length: SESSIONS }, () => new Session(url).open()));
    await throughput(sessions.slice(0, 5), (s) => s.callTool('list_chats', { limit: 20 })); // warm-up
    const lc = await throughput(sessions, (s) => s.callTool('list_chats', { limit: 20 }));
    bench('mcp_list_chats_50_sessions', lc.perSec, 'calls/s');
    bench('mcp_list_chats_50_sessions_p50', lc.p50, 'ms');
    bench('mcp_list_chats_50_sessions_p99', lc.p99, 'ms');
    const qs = built.queries;
    await throughput(sessions.slice(0, 5), (s, i) => s.callTool('search_messages', { query: qs[i % qs.length]!, limit: 20 })); // warm-up
    const sm = await throughput(sessions, (s, i) => s.callTool('search_messages', { query: qs[i % qs.length]!, limit: 20 }));
    bench('mcp_search_messages_50_sessions', sm.perSec, 'calls/s');
    bench('mcp_search_messages_50_sessions_p50', sm.p50, 'ms');
    bench('mcp_search_messages_50_sessions_p99', sm.p99, 'ms');
    await Promise.all(sessions.map((s) => s.close()));

    // 3. heap per idle session (after GC, no open streams).
    const IDLE = 500;
    const before = await ask(child, 'mem');
    const idle: Session[] = [];
    for (let i = 0; i < IDLE; i += 50) idle.push(...(await Promise.all(Array.from({ length: 50 }, () => new Session(url).open()))));
    const after = await ask(child, 'mem');
    if (before.type !== 'mem' || after.type !== 'mem') throw new Error('unexpected server message');
    bench('mcp_idle_session_heap', (after.heapUsed - before.heapUsed) / IDLE / 1024, 'KB/session');
    bench('mcp_idle_session_rss', (after.rss - before.rss) / IDLE / 1024, 'KB/session');
    bench('mcp_idle_sessions_open', after.sessions, 'sessions');
    await Promise.all(idle.map((s) => s.close()));
    bench('load_avg_1m_end', loadavg()[0] ?? 0, 'load');
  } finally {
    child.send({ type: 'stop' });
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  void serve(process.argv[3]!);
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
