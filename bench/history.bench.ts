/**
 * End-to-end history sync (issue #17 items 1 and 2): a fresh link of an account with 1,000,000 messages
 * over 5,000 chats / 20,000 contacts (the store bench's generator), uploaded by the simulated phone as
 * WhatsApp does — zlib-compressed HistorySync chunks on the media host, announced one by one — and
 * downloaded, decrypted and ingested by the real Baileys socket and our store (bench/history-server.ts,
 * a child process). Meanwhile this process is a client that keeps asking `/healthz`, `/api/state` and
 * MCP `list_chats` (SDK client) and records their latencies.
 *
 *   npx tsx bench/run.ts history                              # 1M messages
 *   HISTORY_BENCH_MESSAGES=100000 npx tsx bench/run.ts history  # quick run
 *   HISTORY_BENCH_KEEP_PROFILE=1 …                            # keep the .cpuprofile files
 *
 * The CPU split comes from a V8 profile of the child: self time by where the code lives (Baileys and its
 * protobuf/Signal/zlib work, our mapping and ingest, SQLite calls, the simulated phone and its data
 * generator, module loading, GC, the rest — the largest "rest" frames are printed as comments).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const ROOT = resolve(import.meta.dirname, '..');
const N = Number(process.env.HISTORY_BENCH_MESSAGES ?? 1_000_000);

function bench(name: string, value: number, unit: string): void {
  console.log(`BENCH ${name} ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

interface Milestone {
  ev: string;
  at: number;
  [k: string]: unknown;
}

console.log(`# history bench: ${N} messages, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
bench('load_avg_1m_start', loadavg()[0] ?? 0, 'load');

const profDir = mkdtempSync(join(tmpdir(), 'history-prof-'));
const child = spawn(process.execPath, ['--import', 'tsx', '--cpu-prof', `--cpu-prof-dir=${profDir}`, join(ROOT, 'bench/history-server.ts')], {
  cwd: ROOT,
  env: { ...process.env, HISTORY_BENCH_MESSAGES: String(N) },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const milestones = new Map<string, Milestone>();
const waiters = new Map<string, (m: Milestone) => void>();
createInterface({ input: child.stdout! }).on('line', (line) => {
  let m: Milestone;
  try {
    m = JSON.parse(line) as Milestone;
  } catch {
    return;
  }
  milestones.set(m.ev, m);
  waiters.get(m.ev)?.(m);
});
const milestone = (ev: string): Promise<Milestone> =>
  milestones.has(ev) ? Promise.resolve(milestones.get(ev)!) : new Promise((ok) => waiters.set(ev, ok));
const exited = new Promise<number | null>((ok) => child.once('exit', ok));

const listening = await milestone('listening');
const url = listening.url as string;

// The concurrent client: three probes in turn, every 50 ms, until everything is stored.
const client = new Client({ name: 'history-bench', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { Authorization: 'Bearer bench-mcp-token' } } }));
const lat = { healthz: [] as number[], state: [] as number[], listChats: [] as number[] };
let firstChatAt = 0;
let errors = 0;
let done = false;
const probe = (async () => {
  while (!done) {
    const t0 = performance.now();
    await fetch(`${url}/healthz`).then((r) => r.arrayBuffer()).catch(() => errors++);
    const t1 = performance.now();
    await fetch(`${url}/api/state`, { headers: { Authorization: 'Bearer bench-admin-token' } }).then((r) => r.arrayBuffer()).catch(() => errors++);
    const t2 = performance.now();
    const r = await client.callTool({ name: 'list_chats', arguments: { limit: 20 } }).catch(() => null);
    const t3 = performance.now();
    if (!r) errors++;
    if (milestones.has('scanned')) {
      lat.healthz.push(t1 - t0);
      lat.state.push(t2 - t1);
      lat.listChats.push(t3 - t2);
      const chats = (r?.structuredContent as { chats?: unknown[] } | undefined)?.chats ?? [];
      if (!firstChatAt && chats.length > 0) firstChatAt = Date.now();
    }
    await new Promise((ok) => setTimeout(ok, 50));
  }
})();

const scanned = await milestone('scanned');
const open = await milestone('open');
const stored = await milestone('stored');
const stats = await milestone('stats');
done = true;
await probe;
await client.close();
child.kill('SIGTERM');
await exited;

const syncMs = stored.at - scanned.at;
bench('history_sync_messages', stored.messages as number, 'msgs');
bench('history_sync_searchable_exact', stored.searchable ? 1 : 0, 'bool');
bench('time_to_open_ms', open.at - scanned.at, 'ms');
bench('time_to_first_chat_ms', firstChatAt ? firstChatAt - scanned.at : NaN, 'ms');
bench('time_to_all_searchable_ms', syncMs, 'ms');
bench('history_sync_msg_per_s', N / (syncMs / 1000), 'msg/s');
bench('history_sync_peak_rss_mb', stats.peakRssMb as number, 'MB');
bench('sync_event_loop_p50_ms', stats.eventLoopP50Ms as number, 'ms');
bench('sync_event_loop_p99_ms', stats.eventLoopP99Ms as number, 'ms');
bench('sync_event_loop_max_ms', stats.eventLoopMaxMs as number, 'ms');
bench('sync_connection_drops', stats.connectionDrops as number, 'drops');
bench('sync_gc_pause_max_ms', stats.gcMaxMs as number, 'ms');
bench('sync_gc_pauses_over_20ms', stats.gcOver20Ms as number, 'pauses');
bench('sync_healthz_p99_ms', quantile(lat.healthz, 0.99), 'ms');
bench('sync_api_state_p99_ms', quantile(lat.state, 0.99), 'ms');
bench('sync_list_chats_p50_ms', quantile(lat.listChats, 0.5), 'ms');
bench('sync_list_chats_p99_ms', quantile(lat.listChats, 0.99), 'ms');
bench('sync_probe_samples', lat.healthz.length, 'rounds');
bench('sync_probe_errors', errors, 'errors');

// CPU split from the child's profile (self time by code location).
// Profile files are CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (the
// event loop the probes wait on); others are worker threads (tsx's loader).
const profFiles = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
const profFile = profFiles.find((f) => f.split('.')[4] === '0');
for (const f of profFiles) {
  if (f === profFile) continue;
  const p = JSON.parse(readFileSync(join(profDir, f), 'utf8')) as { nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>; samples: number[]; timeDeltas: number[] };
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const busy = p.samples.reduce((a, id, i) => a + (idle.has(id) ? 0 : (p.timeDeltas[i] ?? 0)), 0);
  console.log(`# worker thread ${f.split('.')[4]}: ${(busy / 1e6).toFixed(2)} s busy`);
}
if (profFile) {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string };
  }
  const prof = JSON.parse(readFileSync(join(profDir, profFile), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const buckets: Record<string, number> = { baileys: 0, ours_mapping_ingest: 0, sqlite: 0, simulator_and_data: 0, module_loading: 0, gc: 0, other: 0, idle: 0 };
  const otherTop = new Map<string, number>();
  const SQLITE_NATIVE = new Set(['run', 'all', 'get', 'iterate', 'exec', 'prepare', 'pluck', 'raw']);
  // Event-loop stalls: runs of consecutive busy samples (no idle sample between them) longer than
  // STALL_MS, with their self time by bucket: what actually holds the loop, not just what costs CPU.
  const STALL_MS = 30;
  const stallBuckets: Record<string, number> = {};
  const stalls: Array<{ ms: number; parts: Record<string, number> }> = [];
  let run: { ms: number; parts: Record<string, number> } = { ms: 0, parts: {} };
  const closeRun = () => {
    if (run.ms / 1000 >= STALL_MS) {
      stalls.push(run);
      for (const [k, v] of Object.entries(run.parts)) stallBuckets[k] = (stallBuckets[k] ?? 0) + v;
    }
    run = { ms: 0, parts: {} };
  };
  prof.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const dt = prof.timeDeltas[i] ?? 0;
    const u = f.url;
    let b = 'other';
    if (f.functionName === '(idle)') b = 'idle';
    else if (f.functionName === '(garbage collector)') b = 'gc';
    else if (u.includes('/src/simulator/') || u.includes('/bench/')) b = 'simulator_and_data';
    else if (/esm\/|cjs\/loader|register-|tsx|bootstrap\//.test(u)) b = 'module_loading';
    else if (u.includes('/src/store/') || u.includes('better-sqlite3') || (!u && SQLITE_NATIVE.has(f.functionName))) b = 'sqlite';
    else if (u.includes('/src/')) b = 'ours_mapping_ingest';
    else if (/@whiskeysockets|protobufjs|libsignal|@hapi|noise|zlib/.test(u) || (!u && /^(inflate|deflate|zlib)/i.test(f.functionName))) b = 'baileys';
    buckets[b] = (buckets[b] ?? 0) + dt;
    if (b === 'idle') closeRun();
    else {
      run.ms += dt;
      run.parts[b] = (run.parts[b] ?? 0) + dt;
    }
    if (b === 'other') {
      const k = `${f.functionName || '(anonymous)'} ${u.split('/').slice(-2).join('/')}`;
      otherTop.set(k, (otherTop.get(k) ?? 0) + dt);
    }
  });
  closeRun();
  const stallTotal = Object.values(stallBuckets).reduce((a, v) => a + v, 0);
  bench('history_stalls_over_30ms', stalls.length, 'stalls');
  bench('history_stall_time_s', stallTotal / 1e6, 's');
  for (const [k, v] of Object.entries(stallBuckets).sort((a, b) => b[1] - a[1])) bench(`history_stall_share_${k}`, (100 * v) / stallTotal, '%');
  for (const s of stalls.sort((a, b) => b.ms - a.ms).slice(0, 5)) {
    const parts = Object.entries(s.parts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}`).join(', ');
    console.log(`#   stall ${(s.ms / 1000).toFixed(0)} ms: ${parts}`);
  }
  if (process.env.HISTORY_BENCH_KEEP_PROFILE) console.log(`# profile kept: ${join(profDir, profFile)}`);
  for (const [k, v] of [...otherTop].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`#   other: ${(v / 1000).toFixed(0)} ms ${k}`);
  const busy = Object.entries(buckets).filter(([k]) => k !== 'idle').reduce((a, [, v]) => a + v, 0);
  for (const [k, v] of Object.entries(buckets)) if (k !== 'idle') bench(`history_cpu_share_${k}`, (100 * v) / busy, '%');
  bench('history_cpu_busy_s', busy / 1e6, 's'); // main thread only
}
if (!process.env.HISTORY_BENCH_KEEP_PROFILE) rmSync(profDir, { recursive: true, force: true });
bench('load_avg_1m_end', loadavg()[0] ?? 0, 'load');
