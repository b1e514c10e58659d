/**
 * Store benchmark (issue #4): 1M synthetic messages, our store against the naive baselines, in one run.
 *
 *   npx tsx bench/run.ts store            # full size (1,000,000 messages)
 *   STORE_BENCH_MESSAGES=100000 npx tsx bench/run.ts store   # quick run
 *
 * Prints one `BENCH <name> <value> <unit>` line per figure. Only the store calls are timed (data
 * generation is excluded from both our ingest and the bare-insert baseline).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { openStore, type Store } from '../src/store/store.js';
import { expandCjk, ftsText, parseQuery } from '../src/store/text.js';
import * as v8 from '../src/store/schema/v8-fts-emoji.js';
import { MESSAGE_COLUMNS, MESSAGE_JOINS } from '../src/store/repos/message-row.js';
import {
  DEFAULT_CONFIG,
  contactJid,
  generateMessages,
  makeChats,
  makeContacts,
  makeVocab,
  mulberry32,
  pickQueries,
  type TrackedQuery,
} from './store-data.js';

const N = Number(process.env.STORE_BENCH_MESSAGES ?? DEFAULT_CONFIG.messages);
const BATCH = Number(process.env.STORE_BENCH_BATCH ?? 2000);
const cfg = { ...DEFAULT_CONFIG, messages: N, batchSize: BATCH };

function bench(name: string, value: number, unit: string): void {
  const v = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000;
  console.log(`BENCH ${name} ${v} ${unit}`);
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

function time<T>(fn: () => T): [number, T] {
  const t0 = performance.now();
  const r = fn();
  return [performance.now() - t0, r];
}

function sample(runs: number, fn: (i: number) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(time(() => fn(i))[0]);
  return out;
}

/** User + system CPU time of this process, ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

let oursWall = 0;
let oursCpu = 0;
let bareWall = 0;
let bareCpu = 0;

/** The chat with the most messages (by its newest page being full furthest back: the largest counter). */
function busyChat(st: Store): string {
  const first = st.chats.listChats({ limit: 50 }).items;
  let best = first[0]!.id;
  let bestN = -1;
  for (const c of first.slice(0, 20)) {
    let n = 0;
    for (let p = st.messages.list(c.id, { limit: 500 }); ; p = st.messages.list(c.id, { limit: 500, cursor: p.nextCursor })) {
      n += p.items.length;
      if (!p.nextCursor || n >= 5000) break;
    }
    if (n > bestN) [best, bestN] = [c.id, n];
  }
  return best;
}

function fileSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'store-bench-'));
console.log(`# store bench: ${N} messages, batch ${BATCH}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
bench('load_avg_1m_start', loadavg()[0] ?? 0, 'load');
// Process RSS before any store work: node + the tsx loader (its ESM hooks run in a worker thread).
bench('rss_baseline_before_load', process.memoryUsage().rss / 1048576, 'MB');
bench('messages', N, 'msgs');

const vocab = makeVocab(cfg.seed);
bench('vocabulary', vocab.latin.length + vocab.cyr.length + vocab.cjk.length, 'words');
const contacts = makeContacts(cfg);
const chats = makeChats(cfg);

// ---------------------------------------------------------------- 2. our ingest (with FTS)
const path = join(dir, 'store.sqlite');
let store: Store = openStore(path);
const queries: TrackedQuery[] = pickQueries(vocab);
{
  const [setupMs] = time(() => {
    store.contacts.upsertContacts(contacts.map((c) => ({ id: c.id, name: c.name, pushname: c.pushname })));
    store.groups.upsertGroups(
      chats
        .filter((c) => c.isGroup)
        .map((g) => ({ id: g.id, subject: g.name, participants: g.members.map((i) => ({ id: contactJid(i) })) })),
    );
  });
  bench('setup_contacts_groups', setupMs, 'ms');
  let ms = 0;
  let cpu = 0;
  let batches = 0;
  for (const batch of generateMessages(cfg, vocab, chats, queries)) {
    const c0 = cpuMs();
    ms += time(() => store.messages.upsertMessages(batch))[0];
    cpu += cpuMs() - c0;
    batches++;
  }
  oursWall = N / (ms / 1000);
  oursCpu = N / (cpu / 1000);
  bench('ingest_fts', oursWall, 'msg/s');
  // Rate per CPU-second of this process: robust against other load on a shared machine.
  bench('ingest_fts_cpu', oursCpu, 'msg/cpu-s');
  bench('ingest_batches', batches, 'tx');
}
(globalThis as { gc?: () => void }).gc?.();
bench('rss_after_load', process.memoryUsage().rss / 1048576, 'MB');
bench('db_size', (fileSize(path) + fileSize(`${path}-wal`)) / 1048576, 'MB');

// ---------------------------------------------------------------- 2b. bare INSERT ceiling (same data, same pragmas, no index, one transaction)
// Run after our RSS was measured, so its page cache does not count against the store.
{
  const path = join(dir, 'bare.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -32768');
  db.pragma('wal_autocheckpoint = 10000');
  db.exec(`CREATE TABLE messages (id INTEGER PRIMARY KEY, chat TEXT, key_id TEXT, sender TEXT, from_me INTEGER,
            ts INTEGER, type TEXT, body TEXT, caption TEXT, raw BLOB)`);
  const ins = db.prepare('INSERT INTO messages (chat, key_id, sender, from_me, ts, type, body, caption, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const bareQueries = pickQueries(vocab);
  let ms = 0;
  let cpu = 0;
  db.exec('BEGIN');
  for (const batch of generateMessages(cfg, vocab, chats, bareQueries)) {
    const c0 = cpuMs();
    ms += time(() => {
      for (const m of batch) {
        ins.run(m.chatId, m.keyId, m.from ?? null, m.fromMe ? 1 : 0, m.timestamp, m.type, m.body ?? null, m.caption ?? null, m.raw ?? null);
      }
    })[0];
    cpu += cpuMs() - c0;
  }
  const c0 = cpuMs();
  ms += time(() => db.exec('COMMIT'))[0];
  cpu += cpuMs() - c0;
  db.close();
  bareWall = N / (ms / 1000);
  bareCpu = N / (cpu / 1000);
  bench('ingest_bare_insert', bareWall, 'msg/s');
  bench('ingest_bare_insert_cpu', bareCpu, 'msg/cpu-s');
  bench('ingest_fts_vs_bare', (100 * oursWall) / bareWall, '%');
  bench('ingest_fts_vs_bare_cpu', (100 * oursCpu) / bareCpu, '%');
  rmSync(path, { force: true });
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
}
(globalThis as { gc?: () => void }).gc?.();


// Reopen so queries run against the DB as a restarted server sees it (cold-ish page cache).
store.close();
store = openStore(path);

// ---------------------------------------------------------------- 3. search vs LIKE vs plain bm25
const like = store.db.prepare(
  `SELECT id FROM messages WHERE body LIKE '%' || @q || '%' OR caption LIKE '%' || @q || '%' ORDER BY ts DESC LIMIT 20`,
);
const plainBm25 = store.db.prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY bm25(messages_fts, 1.0, 0.0) LIMIT 20');
const classes = [...new Set(queries.map((q) => q.cls))];
const ftsP50: Record<string, number> = {};
const likeP50: Record<string, number> = {};
let minRecall = 1;
for (const cls of classes) {
  const qs = queries.filter((q) => q.cls === cls);
  const fts: number[] = [];
  const likeT: number[] = [];
  const plain: number[] = [];
  for (const q of qs) {
    for (let i = 0; i < 3; i++) store.messages.search(q.query); // warm-up
    fts.push(...sample(30, () => store.messages.search(q.query)));
    const expr = `text : (${parseQuery(q.query).match ?? '""'})`;
    plain.push(...sample(5, () => plainBm25.all(expr)));
    likeT.push(...sample(2, () => like.all({ q: q.like })));
    const found = store.messages.countMatches(q.query);
    const recall = q.count === 0 ? (found === 0 ? 1 : 0) : found / q.count;
    minRecall = Math.min(minRecall, recall);
    console.log(`#   ${cls.padEnd(14)} ${JSON.stringify(q.query).padEnd(24)} reference ${String(q.count).padStart(6)}  fts ${String(found).padStart(6)}  recall ${recall.toFixed(3)}`);
  }
  ftsP50[cls] = quantile(fts, 0.5);
  likeP50[cls] = quantile(likeT, 0.5);
  bench(`search_${cls}_p50`, quantile(fts, 0.5), 'ms');
  bench(`search_${cls}_p95`, quantile(fts, 0.95), 'ms');
  bench(`search_plain_bm25_${cls}_p50`, quantile(plain, 0.5), 'ms');
  bench(`search_like_${cls}_p50`, quantile(likeT, 0.5), 'ms');
  bench(`search_fts_vs_like_${cls}_ratio`, quantile(likeT, 0.5) / quantile(fts, 0.5), 'x');
  bench(`search_${cls}_reference_matches`, qs.reduce((a, q) => a + q.count, 0) / qs.length, 'avg');
}
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
bench('search_fts_vs_like_ratio', sum(likeP50) / sum(ftsP50), 'x');
bench(
  'search_fts_vs_like_geomean_ratio',
  Math.exp(classes.reduce((a, c) => a + Math.log(likeP50[c]! / ftsP50[c]!), 0) / classes.length),
  'x',
);
bench('search_recall_min', minRecall, 'ratio');

// ---------------------------------------------------------------- 3b. emoji as tokens (issue #13)
// The generator glues one of ten emoji to a word in 15 % of messages. Reference: the LIKE count of the
// emoji's base code point (LIKE is an exact substring test, so `❤` also counts `❤️`).
{
  const likeCount = store.db.prepare<{ q: string }, { n: number }>(
    `SELECT count(*) AS n FROM messages WHERE body LIKE '%' || @q || '%' OR caption LIKE '%' || @q || '%'`,
  );
  const times: number[] = [];
  let minEmojiRecall = 1;
  for (const [query, base] of [['🎉', '🎉'], ['❤️', '❤'], ['🚀', '🚀']] as const) {
    for (let i = 0; i < 3; i++) store.messages.search(query);
    times.push(...sample(30, () => store.messages.search(query)));
    const ref = likeCount.get({ q: base })?.n ?? 0;
    const found = store.messages.countMatches(query);
    const recall = ref === 0 ? (found === 0 ? 1 : 0) : found / ref;
    minEmojiRecall = Math.min(minEmojiRecall, recall);
    console.log(`#   emoji          ${JSON.stringify(query).padEnd(24)} reference ${String(ref).padStart(6)}  fts ${String(found).padStart(6)}  recall ${recall.toFixed(3)}`);
  }
  bench('search_emoji_p50', quantile(times, 0.5), 'ms');
  bench('search_emoji_p95', quantile(times, 0.95), 'ms');
  bench('search_emoji_recall_min', minEmojiRecall, 'ratio');
}

// ---------------------------------------------------------------- 4. chats, messages, context
{
  const lc = sample(200, () => store.chats.listChats({ limit: 50 }));
  bench('list_chats_50_p50', quantile(lc, 0.5), 'ms');
  bench('list_chats_50_p95', quantile(lc, 0.95), 'ms');
  bench('list_chats_50_statements', 1, 'stmts');
  // Page 2..n through the cursor.
  const first = store.chats.listChats({ limit: 50 });
  const lc2 = sample(200, () => store.chats.listChats({ limit: 50, cursor: first.nextCursor }));
  bench('list_chats_50_page2_p50', quantile(lc2, 0.5), 'ms');
  const lg = sample(50, () => store.chats.listGroups({ limit: 50 }));
  bench('list_groups_50_p50', quantile(lg, 0.5), 'ms');

  // Admin chat page and export page (issue #11): the repo's doclist cursor path at every depth of the
  // busiest chat, against the OFFSET query the routes used to run (no chat_id index: it walks the table).
  {
    const chat = busyChat(store);
    const cursors: Array<string | undefined> = [undefined];
    for (let p = store.messages.list(chat, { limit: 50 }); p.nextCursor && cursors.length < 40; p = store.messages.list(chat, { limit: 50, cursor: p.nextCursor })) cursors.push(p.nextCursor);
    const ap = sample(200, (i) => store.messages.list(chat, { limit: 50, cursor: cursors[i % cursors.length] }));
    bench('admin_chat_page_p50', quantile(ap, 0.5), 'ms');
    bench('admin_chat_page_p95', quantile(ap, 0.95), 'ms');
    const chatRow = store.chats.findId(chat)!;
    const offsetPage = store.db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages m ${MESSAGE_JOINS} WHERE m.chat_id = ? ORDER BY m.id DESC LIMIT 50 OFFSET ?`);
    const naiveAp = sample(10, (i) => offsetPage.all(chatRow, ((i * 7) % cursors.length) * 50));
    bench('admin_chat_page_offset_scan_p50', quantile(naiveAp, 0.5), 'ms');
    bench('admin_chat_page_vs_offset_ratio', quantile(naiveAp, 0.5) / quantile(ap, 0.5), 'x');
    const fwd: Array<string | undefined> = [undefined];
    for (let p = store.messages.listForward(chat, { limit: 500 }); p.nextCursor && fwd.length < 10; p = store.messages.listForward(chat, { limit: 500, afterCursor: p.nextCursor })) fwd.push(p.nextCursor);
    const ep = sample(50, (i) => store.messages.listForward(chat, { limit: 500, afterCursor: fwd[i % fwd.length] }));
    bench('admin_export_page_500_p50', quantile(ep, 0.5), 'ms');
    const scanPage = store.db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages m ${MESSAGE_JOINS} WHERE m.chat_id = ? AND m.id > ? ORDER BY m.id LIMIT 500`);
    const naiveEp = sample(5, () => scanPage.all(chatRow, -1));
    bench('admin_export_page_scan_p50', quantile(naiveEp, 0.5), 'ms');
  }

  // The peers' N+1: chats page, then per chat last message, name and unread count. Peers index
  // messages by (chat, timestamp), so give the baseline that index (our schema does not have it).
  const db = store.db;
  const [indexMs] = time(() => db.exec('CREATE INDEX IF NOT EXISTS bench_naive_chat_ts ON messages (chat_id, ts)'));
  bench('naive_baseline_index_build', indexMs, 'ms');
  const page = db.prepare('SELECT id, jid, name, last_ts FROM chats ORDER BY last_ts DESC LIMIT 50');
  const lastMsg = db.prepare('SELECT * FROM messages WHERE chat_id = ? ORDER BY ts DESC LIMIT 1');
  const contactName = db.prepare('SELECT name, pushname FROM contacts WHERE jid = ?');
  const unread = db.prepare('SELECT count(*) AS n FROM messages WHERE chat_id = ? AND from_me = 0 AND ts > ?');
  let statements = 0;
  const naive = sample(20, () => {
    statements = 1;
    for (const c of page.all() as Array<{ id: number; jid: string; last_ts: number }>) {
      lastMsg.get(c.id);
      contactName.get(c.jid);
      unread.get(c.id, c.last_ts - 86_400_000);
      statements += 3;
    }
  });
  bench('list_chats_naive_n_plus_1_p50', quantile(naive, 0.5), 'ms');
  bench('list_chats_naive_n_plus_1_statements', statements, 'stmts');

  const busy = first.items.map((c) => c.id);
  const rand = mulberry32(7);
  const lm = sample(200, (i) => store.messages.list(busy[i % busy.length]!, { limit: 50 }));
  bench('list_messages_50_p50', quantile(lm, 0.5), 'ms');
  bench('list_messages_50_p95', quantile(lm, 0.95), 'ms');
  const targets: string[] = [];
  for (const c of busy.slice(0, 20)) {
    const p = store.messages.list(c, { limit: 200 });
    for (let k = 0; k < 5 && p.items.length > 0; k++) targets.push(p.items[Math.floor(rand() * p.items.length)]!.id);
  }
  const cx = sample(200, (i) => store.messages.context(targets[i % targets.length]!, 20));
  bench('message_context_20_p50', quantile(cx, 0.5), 'ms');
  bench('message_context_20_p95', quantile(cx, 0.95), 'ms');
  const li = sample(100, (i) => store.messages.lastInteraction(contactJid(i * 37)));
  bench('last_interaction_p50', quantile(li, 0.5), 'ms');
  const rc = sample(50, (i) => store.contacts.resolve(['ana', 'García', '+44 7000 0079', 'иван 12', 'zoë'][i % 5]!, 5));
  bench('resolve_contact_p50', quantile(rc, 0.5), 'ms');
}

// ---------------------------------------------------------------- 5. status counters vs COUNT(*)
{
  const st = sample(1000, () => store.counters.get());
  bench('status_counters_p50', quantile(st, 0.5), 'ms');
  bench('status_counters_p95', quantile(st, 0.95), 'ms');
  const counts = [
    'SELECT count(*) FROM messages',
    'SELECT count(*) FROM chats',
    'SELECT count(*) FROM chats WHERE is_group = 1',
    'SELECT count(*) FROM contacts',
    'SELECT count(*) FROM media_files',
    'SELECT count(*) FROM messages WHERE from_me = 1',
    'SELECT count(*) FROM messages WHERE has_media = 1',
    'SELECT max(ts) FROM messages',
  ].map((s) => store.db.prepare(s));
  const cs = sample(5, () => counts.forEach((s) => s.get()));
  bench('status_count_star_p50', quantile(cs, 0.5), 'ms');
  const c = store.counters.get();
  bench('status_counters_messages', c.messages, 'msgs');
}

// ---------------------------------------------------------------- cost of the emoji tokens at ingest
// The JS text preparation per message with emoji tokens (ftsText) against the same without them (the
// version-7 rule: body/caption joined, CJK expanded), on the first 100k generated messages, CPU time of
// this process in the same run, so it does not depend on the neighbours' load.
{
  const sampleCfg = { ...cfg, messages: Math.min(N, 100_000) };
  const texts: Array<[string | null, string | null]> = [];
  for (const batch of generateMessages(sampleCfg, vocab, chats, pickQueries(vocab))) for (const m of batch) texts.push([m.body ?? null, m.caption ?? null]);
  const v7 = (b: string | null, c: string | null) => {
    const x = b ?? '';
    const y = c ?? '';
    return expandCjk(x && y && x !== y ? `${x}\n${y}` : x || y);
  };
  let sink = 0;
  const cpuOf = (fn: (b: string | null, c: string | null) => string) => {
    for (const [b, c] of texts.slice(0, 5000)) sink += fn(b, c).length;
    const c0 = cpuMs();
    for (const [b, c] of texts) sink += fn(b, c).length;
    return ((cpuMs() - c0) * 1000) / texts.length;
  };
  const before = Math.min(cpuOf(v7), cpuOf(v7));
  const after = Math.min(cpuOf(ftsText), cpuOf(ftsText));
  bench('fts_text_prep_v7', before, 'us/msg');
  bench('fts_text_prep_with_emoji_tokens', after, 'us/msg');
  bench('fts_text_prep_emoji_cost', after - before + (sink < 0 ? 1 : 0), 'us/msg');
}

// ---------------------------------------------------------------- migration 8 on a store of this size
// The one-time upgrade re-indexes the messages with emoji. Timed here on the full store (its emoji rows are
// re-indexed to the same tokens, the same work as on a version-7 store), then rolled back.
{
  const c0 = cpuMs();
  store.db.exec('BEGIN IMMEDIATE');
  const ms = time(() => v8.up(store.db))[0];
  store.db.exec('ROLLBACK');
  bench('migration_v8_reindex', ms, 'ms');
  bench('migration_v8_reindex_cpu', cpuMs() - c0, 'ms');
}

bench('load_avg_1m_end', loadavg()[0] ?? 0, 'load');
store.close();
rmSync(dir, { recursive: true, force: true });
