/**
 * WAL checkpoints on a background thread during bulk writes (issue #17).
 *
 * SQLite checkpoints the WAL inside the commit that pushes it past `wal_autocheckpoint` pages, on the
 * committing connection: copying up to 10,000 pages (40 MB) into the database and syncing it held the event
 * loop for 35–57 ms during a history sync, the largest remaining stalls once FTS merges were stepped. A PASSIVE
 * checkpoint from a second connection does the same work without blocking the writer or readers (WAL
 * mode), so while bulk writes run, this thread checkpoints every CHECKPOINT_EVERY_MS and the main
 * connection's auto-checkpoint is off. The thread only checkpoints: it never writes rows (the history
 * writer thread measured earlier wrote rows from a second connection and could stall; see BENCHMARKS.md).
 *
 * The worker is a few lines of CommonJS evaluated in the thread, loading better-sqlite3 by its resolved
 * path: no build step and no TypeScript loader are needed in the thread, in tests or in production.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const CHECKPOINT_EVERY_MS = 200;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { /* busy: the next tick tries again */ }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  Atomics.store(workerData.closed, 0, 1);
  Atomics.notify(workerData.closed, 0);
  parentPort.close();
});
`;

/** How long `stop()` waits for the thread to close its connection. */
const STOP_WAIT_MS = 2_000;

export class Checkpointer {
  /** The thread is up (no error, no exit). */
  private alive = true;
  /** `stop()` was called: the thread is closing or closed. */
  private stopping = false;

  private constructor(
    private readonly worker: Worker,
    /** Set to 1 by the thread once its connection is closed. */
    private readonly closed: Int32Array,
  ) {
    worker.unref();
    const down = () => {
      this.alive = false;
    };
    worker.on('error', down);
    worker.on('exit', down);
  }

  /** A checkpointer for the store file at `path`, or null when there is no file to share (`:memory:`). */
  static start(path: string): Checkpointer | null {
    if (!path || path === ':memory:' || !existsSync(path)) return null;
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const closed = new Int32Array(new SharedArrayBuffer(4));
    return new Checkpointer(new Worker(WORKER_SOURCE, { eval: true, workerData: { path, module, everyMs: CHECKPOINT_EVERY_MS, closed } }), closed);
  }

  /** False once the thread failed or was asked to stop: the caller must checkpoint on its own connection. */
  get running(): boolean {
    return this.alive && !this.stopping;
  }

  /**
   * Closes the thread's connection and ends the thread. With `wait`, blocks (briefly) until the connection is
   * closed — also when an earlier `stop(false)` asked for it — so the store can checkpoint, close and be
   * deleted right after.
   */
  stop(wait: boolean): void {
    if (!this.stopping) {
      this.stopping = true;
      if (this.alive) this.worker.postMessage('stop');
    }
    if (!wait || !this.alive) return;
    Atomics.wait(this.closed, 0, 0, STOP_WAIT_MS);
    void this.worker.terminate();
  }
}
