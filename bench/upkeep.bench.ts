/**
 * Bulk mode at the store level (issue #17 item 2; src/store/repos/index-maintenance.ts): the longest
 * synchronous pieces of work while a history sync writes into a big store, with and without bulk mode,
 * in the same run. A store of N − TAIL messages (the store bench's generator) is built once and copied; the
 * last TAIL messages then go in as the Ingestor writes them — sets of 2,000, slices sized to ~5 ms — either
 * plainly (FTS5 automerge and WAL checkpoints inside the commits) or in bulk mode (one upkeep step after
 * each slice, a drain after each set, checkpoints on the checkpointer thread). Every transaction and step
 * is timed: what a health check can wait behind.
 *
 *   npx tsx bench/run.ts upkeep                                  # N = 1M, TAIL = 200k
 *   UPKEEP_BENCH_MESSAGES=300000 UPKEEP_BENCH_TAIL=100000 npx tsx bench/run.ts upkeep
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { openStore } from '../src/store/index.js';
import type { MessageInput } from '../src/store/types.js';
import { DEFAULT_CONFIG, generateMessages, makeChats, makeContacts, makeVocab, pickQueries } from './store-data.js';

const N = Number(process.env.UPKEEP_BENCH_MESSAGES ?? 1_000_000);
const TAIL = Number(process.env.UPKEEP_BENCH_TAIL ?? 200_000);
const SET = 2_000;
/** As the Ingestor: slices sized to this time, between these bounds, changing at most 2× per step. */
const SLICE_TARGET_MS = 5;

function bench(name: string, value: number, unit: string): void {
  console.log(`BENCH ${name} ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

bench('load_avg_1m_start', loadavg()[0] ?? 0, 'load');
const dir = mkdtempSync(join(tmpdir(), 'upkeep-bench-'));
try {
  const cfg = { ...DEFAULT_CONFIG, messages: N, batchSize: SET };
  const chats = makeChats(cfg);
  const base = join(dir, 'base.sqlite');
  const tail: MessageInput[][] = [];
  const store = openStore(base);
  store.contacts.upsertContacts(makeContacts(cfg).map((c) => ({ id: c.id, name: c.name, pushname: c.pushname })));
  store.chats.upsertChats(chats.map((c) => ({ id: c.id, name: c.name, isGroup: c.isGroup })));
  const vocab = makeVocab(cfg.seed);
  let seen = 0;
  for (const batch of generateMessages(cfg, vocab, chats, pickQueries(vocab), false)) {
    if (seen < N - TAIL) store.messages.upsertMessages(batch);
    else tail.push(batch);
    seen += batch.length;
  }
  store.close();

  for (const variant of ['plain', 'bulk'] as const) {
    const path = join(dir, `${variant}.sqlite`);
    copyFileSync(base, path);
    const s = openStore(path);
    const times: number[] = [];
    const timed = (fn: () => unknown) => {
      const t0 = performance.now();
      const r = fn();
      times.push(performance.now() - t0);
      return r;
    };
    let slice = 128;
    const t0 = performance.now();
    for (const set of tail) {
      if (variant === 'bulk') s.maintenance.setBulk(true);
      for (let i = 0; i < set.length; ) {
        const a = performance.now();
        timed(() => s.messages.upsertMessages(set.slice(i, i + slice)));
        i += slice;
        slice = Math.min(1_000, Math.max(32, Math.round(slice * Math.min(2, Math.max(0.5, SLICE_TARGET_MS / Math.max(0.1, performance.now() - a))))));
        if (variant === 'bulk') timed(() => s.maintenance.step());
      }
      if (variant === 'bulk') {
        const end = performance.now() + 100;
        while (performance.now() < end && timed(() => s.maintenance.step())) {
          /* drain, as the Ingestor does between sets */
        }
        s.maintenance.setBulk(false);
      }
    }
    const wall = performance.now() - t0;
    bench(`upkeep_${variant}_msg_per_s`, TAIL / (wall / 1000), 'msg/s');
    bench(`upkeep_${variant}_sync_p99_ms`, quantile(times, 0.99), 'ms');
    bench(`upkeep_${variant}_sync_max_ms`, Math.max(...times), 'ms');
    bench(`upkeep_${variant}_sync_over_30ms`, times.filter((x) => x > 30).length, 'pieces');
    s.close();
    rmSync(path, { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
bench('load_avg_1m_end', loadavg()[0] ?? 0, 'load');
