/**
 * Child process of bench/history.bench.ts: the real server (createApp, real Baileys socket) and the
 * simulator serving the streamed history, in one process on a fresh data dir. It prints one JSON line
 * per milestone on stdout (`listening`, `scanned`, `open`, `history-complete`, `stored`, `stats`) and
 * stops on SIGTERM. Event-loop delay and RSS are sampled here, where the work happens; the simulator's
 * own share of the CPU is separated in the profile by the parent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { startSimulator } from '../src/simulator/index.js';
import { routeConsoleToLogger } from '../src/util/console-capture.js';
import { historyDataset } from './history-data.js';

const N = Number(process.env.HISTORY_BENCH_MESSAGES ?? 1_000_000);
const emit = (ev: string, extra: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ ev, at: Date.now(), ...extra })}\n`);

routeConsoleToLogger(silentLogger());
const data = historyDataset(N);
const sim = await startSimulator({ seed: 11, contacts: 0, groups: 0, autoPair: false, history: { source: data.source, totalMessages: N } });
const dataDir = mkdtempSync(join(tmpdir(), 'history-bench-'));
const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: 'bench-admin-token', MCP_AUTH_TOKEN: 'bench-mcp-token', LOG_LEVEL: 'silent' }, []);
const app = createApp(config, silentLogger(), { simulator: sim });
const { url } = await app.start();
emit('listening', { url, expected: { messages: N, chats: data.chats } });

const eld = monitorEventLoopDelay({ resolution: 10 });
// GC pauses during the sync: whether they, not our work, make the slow loop turns.
const gcPauses: number[] = [];
const gcObserver = new PerformanceObserver((list) => {
  if (scannedAt) for (const e of list.getEntries()) gcPauses.push(e.duration);
});
gcObserver.observe({ entryTypes: ['gc'] });
let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
let scannedAt = 0;
let drops = 0;
let wasOpen = false;

app.runtime.subscribe((change) => {
  if (change.type !== 'status') return;
  const open = change.status.state === 'open';
  if (open && !wasOpen) emit('open');
  if (wasOpen && !open) drops++;
  wasOpen = open;
});
sim.on('qr', () => {
  if (scannedAt) return;
  scannedAt = Date.now();
  eld.enable();
  emit('scanned');
  void sim.scanQr();
});
sim.on('history-complete', () => emit('history-complete'));

const selfChat = sim.phone.jid;
const poll = setInterval(() => {
  const c = app.store.counters.get();
  const stubs = app.store.messages.list(selfChat, { limit: 500 }).items.filter((m) => m.type === 'protocol').length;
  if (c.messages - stubs < N || c.contacts < data.contacts) return;
  clearInterval(poll);
  eld.disable();
  clearInterval(rssTimer);
  const searchable = data.queries.every((q) => app.store.messages.countMatches(q.query) === q.count);
  emit('stored', { messages: c.messages - stubs, chats: c.chats, contacts: c.contacts, searchable });
  emit('stats', {
    peakRssMb: peakRss / 1048576,
    eventLoopP50Ms: eld.percentile(50) / 1e6,
    eventLoopP99Ms: eld.percentile(99) / 1e6,
    eventLoopMaxMs: eld.max / 1e6,
    connectionDrops: drops,
    gcMaxMs: Math.max(0, ...gcPauses),
    gcOver20Ms: gcPauses.filter((d) => d > 20).length,
  });
  gcObserver.disconnect();
}, 50);

process.on('SIGTERM', () => {
  void (async () => {
    clearInterval(poll);
    await app.stop();
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
