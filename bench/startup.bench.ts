/**
 * Start-up and idle footprint at account scale (issue #17 items 4 and 6), in one run:
 *   1. the built server (`node dist/src/main.js`, as `npm start` runs it) links to the built-in simulator
 *      on a fresh data dir and stops: auth state, simulator state and a small store on disk;
 *   2. time from process start to `/healthz` answering and to `open`, with that small store;
 *   3. the store bench generator adds 1,000,000 messages (5,000 chats, 20,000 contacts) to the same store;
 *   4. the same two times with the 1M store (the ratio shows whether start-up depends on store size);
 *   5. RSS of the linked, idle server with the big store: the minimum VmRSS over 5 s after 10 s idle
 *      (the server exposes no GC trigger; V8's idle GC has run by then).
 *
 *   npx tsx bench/run.ts startup                              # 1M messages
 *   STARTUP_BENCH_MESSAGES=100000 npx tsx bench/run.ts startup  # quick run
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { openStore } from '../src/store/store.js';
import { DEFAULT_CONFIG, contactJid, generateMessages, makeChats, makeContacts, makeVocab, pickQueries } from './store-data.js';

const ROOT = resolve(import.meta.dirname, '..');
const N = Number(process.env.STARTUP_BENCH_MESSAGES ?? DEFAULT_CONFIG.messages);
const RUNS = 3;

function bench(name: string, value: number, unit: string): void {
  console.log(`BENCH ${name} ${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}

interface Started {
  child: ChildProcess;
  port: number;
  healthzMs: number;
  openMs: number;
}

async function startServer(dataDir: string): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), WA_SIMULATOR: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let healthzMs = NaN;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('server did not open within 120 s');
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      const body = (await r.json()) as { state?: string };
      if (Number.isNaN(healthzMs)) healthzMs = performance.now() - t0;
      if (body.state === 'open') return { child, port, healthzMs, openMs: performance.now() - t0 };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function measureStarts(dataDir: string, label: string): Promise<void> {
  const h: number[] = [];
  const o: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await startServer(dataDir);
    h.push(s.healthzMs);
    o.push(s.openMs);
    await stopServer(s.child);
  }
  bench(`startup_healthz_ms_${label}`, median(h), 'ms');
  bench(`startup_ms_${label}`, median(o), 'ms');
}

/** VmRSS of a process, in MB (Linux). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? NaN) / 1024;
}

console.log(`# startup bench: ${N} messages, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
bench('load_avg_1m_start', loadavg()[0] ?? 0, 'load');
execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });

const dataDir = mkdtempSync(join(tmpdir(), 'startup-bench-'));
try {
  // 1. Link once (the simulator auto-pairs), so later starts resume a linked session.
  await stopServer((await startServer(dataDir)).child);
  // 2. Small store.
  await measureStarts(dataDir, 'small');

  // 3. Grow the store to N messages.
  const cfg = { ...DEFAULT_CONFIG, messages: N };
  const vocab = makeVocab(cfg.seed);
  const contacts = makeContacts(cfg);
  const chats = makeChats(cfg);
  const store = openStore(join(dataDir, 'store.sqlite'));
  store.contacts.upsertContacts(contacts.map((c) => ({ id: c.id, name: c.name, pushname: c.pushname })));
  store.groups.upsertGroups(
    chats.filter((c) => c.isGroup).map((g) => ({ id: g.id, subject: g.name, participants: g.members.map((i) => ({ id: contactJid(i) })) })),
  );
  for (const batch of generateMessages(cfg, vocab, chats, pickQueries(vocab))) store.messages.upsertMessages(batch);
  bench('store_messages', store.counters.get().messages, 'msgs');
  store.close();

  // 4. Big store.
  const label = N >= 1_000_000 ? `${N / 1_000_000}m` : `${N / 1000}k`;
  await measureStarts(dataDir, label);

  // 5. Idle footprint: linked and open, idle for 10 s (the store's idle work runs).
  const s = await startServer(dataDir);
  await new Promise((r) => setTimeout(r, 10_000));
  let min = rssMb(s.child.pid!);
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 500));
    min = Math.min(min, rssMb(s.child.pid!));
  }
  bench(`idle_rss_mb_${label}`, min, 'MB');
  await stopServer(s.child);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
bench('load_avg_1m_end', loadavg()[0] ?? 0, 'load');
