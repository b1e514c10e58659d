/**
 * Bulk history writes in a worker thread (issue #17): a history sync of a big account is mostly SQLite
 * work (FTS indexing, per-chat upserts), and done on the main thread it held the event loop for tens of
 * milliseconds per slice — health checks and MCP calls waited. The worker owns a second connection to the
 * same WAL-mode file: one writer at a time (SQLite's lock; the main connection waits on `busy_timeout` for
 * the rare write of its own meanwhile), readers on the main thread never wait.
 *
 * The worker starts on the first request (a server that never syncs history never starts it) and then
 * lives as long as the process (unref'd: it never keeps it alive). An earlier version closed it after 2 s
 * without requests and restarted it on demand; a sync then stalled in 2 of ~16 history-bench runs, and
 * without restarts in 1 of ~8 more — cause not found, so the Ingestor leaves this writer off by default. Stores that are not
 * files (`:memory:`) cannot be shared: `open` returns null and the caller writes in-thread.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import type { ChatInput, ContactInput, MessageInput, PollVoteInput, ReactionInput } from './types.js';

export interface WriterBatch {
  contacts?: ContactInput[];
  chats?: ChatInput[];
  messages?: MessageInput[];
  reactions?: ReactionInput[];
  votes?: PollVoteInput[];
}

export type WriterRequest = ({ type: 'write'; id: number } & WriterBatch) | { type: 'close' };
export type WriterReply = { id: number; ok: true; touched: string[] } | { id: number; ok: false; error: string };

/** The worker thread could not start or died: nothing of the request was written by it. */
export class WorkerUnavailable extends Error {}

const here = fileURLToPath(import.meta.url);
const requireHere = createRequire(import.meta.url);
/** Built code runs writer-worker.js; from source (tsx, vitest) the worker loads the .ts through tsx. */
const WORKER_FILE = join(dirname(here), here.endsWith('.ts') ? 'writer-worker.ts' : 'writer-worker.js');

interface Pending {
  resolve: (touched: string[]) => void;
  reject: (err: Error) => void;
}

export class HistoryWriter {
  /** The live thread and its unanswered requests (a closing thread's requests stay with it). */
  private worker: { thread: Worker; pending: Map<number, Pending> } | null = null;
  private nextId = 1;

  private constructor(private readonly path: string) {}

  /** A writer for the store file at `path`, or null when the store is not a file the worker can open. */
  static open(path: string): HistoryWriter | null {
    if (!path || path === ':memory:' || !existsSync(path) || !existsSync(WORKER_FILE)) return null;
    return new HistoryWriter(path);
  }

  /** Writes one batch (contacts, chats, messages, reactions, votes: each its own transaction, in that order). */
  write(batch: WriterBatch): Promise<string[]> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<string[]>((resolve, reject) => {
      worker.pending.set(id, { resolve, reject });
      worker.thread.postMessage({ type: 'write', id, ...batch } satisfies WriterRequest);
    });
  }

  /** Lets the worker close its connection and exit; a later write starts a new one. */
  close(): void {
    const w = this.worker;
    this.worker = null;
    if (w) w.thread.postMessage({ type: 'close' } satisfies WriterRequest);
  }

  private start(): { thread: Worker; pending: Map<number, Pending> } {
    if (this.worker) return this.worker;
    const ts = WORKER_FILE.endsWith('.ts');
    // From source (tsx, vitest) the parent's loader hooks do not reach a worker thread: a small eval'd
    // loader registers tsx in the worker, then imports the .ts entry. Profiling flags are passed on.
    const w = ts
      ? new Worker(
          `import(${JSON.stringify(pathToFileURL(requireHere.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href)}).then((t) => { t.register(); return import(${JSON.stringify(pathToFileURL(WORKER_FILE).href)}); })`,
          { eval: true, workerData: { path: this.path }, execArgv: process.execArgv.filter((a) => a.startsWith('--cpu-prof')) },
        )
      : new Worker(WORKER_FILE, { workerData: { path: this.path } });
    w.unref();
    const live = { thread: w, pending: new Map<number, Pending>() };
    w.on('message', (reply: WriterReply) => {
      const p = live.pending.get(reply.id);
      if (!p) return;
      live.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.touched);
      else p.reject(new Error(`history write failed: ${reply.error}`));
    });
    const fail = (err: Error) => {
      if (this.worker === live) this.worker = null;
      for (const p of live.pending.values()) p.reject(err);
      live.pending.clear();
    };
    w.on('error', (err) => fail(new WorkerUnavailable(`history writer failed: ${err.message}`)));
    w.on('exit', (code) => fail(new WorkerUnavailable(`history writer exited (${code})`)));
    this.worker = live;
    return live;
  }
}
