/**
 * Media benchmark (issue #7), against the real server on 127.0.0.1:0; client and server share a
 * process, and each phase runs in a fresh process (upload / seed / export / naive baseline):
 *
 *   npx tsx bench/run.ts media
 *   MEDIA_BENCH_UPLOAD_MB=50 MEDIA_BENCH_MESSAGES=20000 npx tsx bench/run.ts media   # quick run
 *
 * 1. Multipart upload of a 200 MB file (streamed from disk by the client): wall time, throughput and
 *    peak RSS growth (target ≤ 64 MB); the same for a 200 MB file sent as base64 JSON to /api/upload.
 * 2. Export of a 100k-message chat with 100 media files of 256 KB (ZIP streamed and discarded by the
 *    client): wall time, ZIP size, peak RSS growth (includes SQLite's 32 MiB page cache and V8 garbage
 *    not yet collected) and the live memory (heap + external after a full GC) while the client pauses
 *    mid-stream; plus the naive baseline (every message in memory, one JSON.stringify, no media).
 * Prints `BENCH <name> <value> <unit>` lines.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { createApp } from '../src/app.js';
import type { MessageInput } from '../src/store/index.js';
import type { EngineFactory } from '../src/runtime/engine.js';

const UPLOAD_MB = Number(process.env.MEDIA_BENCH_UPLOAD_MB ?? 200);
const MESSAGES = Number(process.env.MEDIA_BENCH_MESSAGES ?? 100_000);
const MEDIA_FILES = Number(process.env.MEDIA_BENCH_MEDIA_FILES ?? 100);
const MB = 1024 * 1024;

function bench(name: string, value: number, unit: string): void {
  const v = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
  console.log(`BENCH ${name} ${v} ${unit}`);
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** Samples RSS every 5 ms until stopped; returns the peak growth over the baseline taken at start. */
function rssPeak(): { stop: () => number } {
  gc();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return (peak - base) / MB;
    },
  };
}

const idleEngine: EngineFactory = () => ({ handle: () => undefined, dispose: () => undefined });

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const chunk = randomBytes(MB);
  for (let done = 0; done < bytes; done += chunk.length) {
    if (!out.write(done === 0 ? Buffer.concat([Buffer.from('%PDF-1.7\n'), chunk.subarray(9)]) : chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
}

function uploadMultipart(url: string, file: string): Promise<{ status: number; body: string }> {
  const size = statSync(file).size;
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: '/api/upload-multipart',
        method: 'POST',
        headers: {
          Authorization: 'Bearer bench-admin-token',
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': head.length + size + tail.length,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.write(head);
    const rs = createReadStream(file);
    rs.pipe(req, { end: false });
    rs.on('end', () => req.end(tail));
    rs.on('error', reject);
  });
}

/** POST /api/upload with the file base64-encoded on the fly (the client never holds it either). */
function uploadJson(url: string, file: string): Promise<{ status: number; body: string }> {
  const size = statSync(file).size;
  const head = Buffer.from('{"filename":"big.pdf","mime_type":"application/pdf","data":"');
  const tail = Buffer.from('"}');
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: '/api/upload',
        method: 'POST',
        headers: { Authorization: 'Bearer bench-admin-token', 'Content-Type': 'application/json', 'Content-Length': head.length + Math.ceil(size / 3) * 4 + tail.length },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.write(head);
    // Chunks of a multiple of 3 bytes encode to base64 without padding in the middle.
    const rs = createReadStream(file, { highWaterMark: 3 * 64 * 1024 });
    rs.on('data', (chunk) => {
      if (!req.write(Buffer.from((chunk as Buffer).toString('base64')))) {
        rs.pause();
        req.once('drain', () => rs.resume());
      }
    });
    rs.on('end', () => req.end(tail));
    rs.on('error', reject);
  });
}

/** Downloads and discards; after `pauseAfter` bytes, pauses once and runs `atPause` (mid-stream measurement). */
function download(url: string, path: string, pauseAfter = Infinity, atPause: () => void = () => undefined): Promise<{ status: number; bytes: number }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    request({ host: u.hostname, port: u.port, path, headers: { Authorization: 'Bearer bench-admin-token' } }, (res) => {
      let bytes = 0;
      let paused = false;
      res.on('data', (d: Buffer) => {
        bytes += d.length;
        if (!paused && bytes > pauseAfter) {
          paused = true;
          res.pause();
          setImmediate(() => {
            atPause();
            res.resume();
          });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** Live memory (heap + buffers) after a full GC. */
function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const CHAT = '447700900123@s.whatsapp.net';

function appIn(dataDir: string) {
  const config = loadConfig(
    { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: 'bench-admin-token', MCP_AUTH_TOKEN: 'bench-mcp-token', UPLOAD_MAX_MB: String(UPLOAD_MB + 16), LOG_LEVEL: 'silent' },
    [],
  );
  return createApp(config, silentLogger(), { engine: idleEngine });
}

/** 1. Multipart upload of a big file, streamed from disk by the client. */
async function uploadPhase(dir: string): Promise<void> {
  const app = appIn(join(dir, 'data'));
  const { url } = await app.start();
  try {
    const file = join(dir, 'big.pdf');
    await writeRandomFile(file, UPLOAD_MB * MB);
    const mem = rssPeak();
    const t0 = performance.now();
    const res = await uploadMultipart(url, file);
    const ms = performance.now() - t0;
    const growth = mem.stop();
    if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${res.body}`);
    bench(`media.upload_multipart_${UPLOAD_MB}mb_time`, ms, 'ms');
    bench('media.upload_multipart_throughput', (UPLOAD_MB / ms) * 1000, 'MB/s');
    bench('media.upload_multipart_peak_rss_growth', growth, 'MB');

    // The same file as base64 JSON (streamed both ways: the server decodes into a temp file as it reads).
    await writeRandomFile(file, UPLOAD_MB * MB); // new bytes: no dedup with the first upload
    const mem2 = rssPeak();
    const t1 = performance.now();
    const res2 = await uploadJson(url, file);
    const ms2 = performance.now() - t1;
    const growth2 = mem2.stop();
    if (res2.status !== 201) throw new Error(`JSON upload failed: ${res2.status} ${res2.body}`);
    bench(`media.upload_json_base64_${UPLOAD_MB}mb_time`, ms2, 'ms');
    bench('media.upload_json_base64_throughput', (UPLOAD_MB / ms2) * 1000, 'MB/s');
    bench('media.upload_json_base64_peak_rss_growth', growth2, 'MB');
  } finally {
    await app.stop();
  }
}

/** Seeds a chat of MESSAGES messages, MEDIA_FILES of them with a stored 256 KB file (own process). */
async function seedPhase(dir: string): Promise<void> {
  const app = appIn(join(dir, 'data'));
  const { url } = await app.start();
  try {
    const step = Math.max(1, Math.floor(MESSAGES / MEDIA_FILES));
    let batch: MessageInput[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const media = i % step === 0;
      batch.push({
        chatId: CHAT,
        keyId: `K${i}`,
        fromMe: i % 3 === 0,
        timestamp: 1_700_000_000_000 + i * 1000,
        type: media ? 'image' : 'text',
        body: media ? null : `message ${i}: the quick brown fox jumps over the lazy dog`,
        caption: media ? `picture ${i}` : null,
        hasMedia: media,
        mediaMime: media ? 'image/jpeg' : null,
      });
      if (batch.length === 5_000) {
        app.store.messages.upsertMessages(batch);
        batch = [];
      }
    }
    if (batch.length) app.store.messages.upsertMessages(batch);
    for (let i = 0, n = 0; i < MESSAGES && n < MEDIA_FILES; i += step, n++) {
      const data = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(256 * 1024)]);
      const up = await fetch(`${url}/api/upload`, {
        method: 'POST',
        headers: { Authorization: 'Bearer bench-admin-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({ data: data.toString('base64') }),
      });
      const { filename } = (await up.json()) as { filename: string };
      const f = app.store.media.getByFileName(filename)!;
      app.store.media.add({ ...f, messageId: `${CHAT}:K${i}` });
    }
  } finally {
    await app.stop();
  }
}

/** 2. The streamed export, in a fresh process over the seeded data dir. */
async function exportPhase(dir: string): Promise<void> {
  const app = appIn(join(dir, 'data'));
  const { url } = await app.start();
  try {
    // One run, paused once after 13 MB (inside the media part) to measure (after a full GC) the live memory the export holds.
    const base = liveBytes();
    let live = 0;
    const mem = rssPeak();
    const t0 = performance.now();
    const exp = await download(url, `/api/export/chat/${CHAT}?include_media=${process.env.MEDIA_BENCH_NO_MEDIA ? 'false' : 'true'}`, 13 * MB, () => (live = liveBytes() - base));
    const ms = performance.now() - t0;
    const growth = mem.stop();
    if (exp.status !== 200) throw new Error(`export failed: ${exp.status}`);
    bench(`media.export_${MESSAGES}_messages_${MEDIA_FILES}_media_time`, ms, 'ms');
    bench('media.export_zip_size', exp.bytes / MB, 'MB');
    bench('media.export_peak_rss_growth', growth, 'MB');
    bench('media.export_live_memory_mid_stream', live / MB, 'MB');
  } finally {
    await app.stop();
  }
}

/** Baseline, fresh process: every message in memory and one JSON string (what a naive export does). */
async function naivePhase(dir: string): Promise<void> {
  const app = appIn(join(dir, 'data'));
  try {
    const base = liveBytes();
    const mem = rssPeak();
    const t0 = performance.now();
    const all = [];
    let cursor: string | undefined;
    do {
      const page = app.store.messages.list(CHAT, { limit: 500, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const json = JSON.stringify({ messages: all });
    const ms = performance.now() - t0;
    const growth = mem.stop();
    bench('media.naive_export_json_only_time', ms, 'ms');
    bench('media.naive_export_json_only_peak_rss_growth', growth, 'MB');
    bench('media.naive_export_json_only_live_memory', (liveBytes() - base) / MB, 'MB');
    void json.length;
    void all.length;
  } finally {
    await app.stop();
  }
}

const PHASES = { upload: uploadPhase, seed: seedPhase, export: exportPhase, naive: naivePhase } as const;
type Phase = keyof typeof PHASES;

// Each phase runs in a fresh process, so one phase's memory (or the seeding's) never hides another's growth.
const [phase, phaseDir] = process.argv.slice(2);
if (phase !== undefined && phase in PHASES && phaseDir) {
  PHASES[phase as Phase](phaseDir).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  const dir = mkdtempSync(join(tmpdir(), 'wa-media-bench-'));
  let failed = false;
  try {
    for (const p of ['upload', 'seed', 'export', 'naive'] as Phase[]) {
      if (p === 'seed') rmSync(join(dir, 'data'), { recursive: true, force: true });
      const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), p, dir], { stdio: 'inherit' });
      if (r.status !== 0) {
        failed = true;
        break;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}
