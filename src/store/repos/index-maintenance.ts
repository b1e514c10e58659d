/**
 * Index upkeep in bounded steps (issue #17, a responsive server during a history sync).
 *
 * Three kinds of deferred work make single write transactions slow when they happen inside them:
 * - FTS5 segment merges. With `automerge` on, FTS5 merges inside the commit of whichever transaction crosses
 *   a work boundary (64 leaf pages × levels), and merges a whole level at once when it reaches `crisismerge`
 *   segments: at ~1M messages such commits took 40–110 ms, against 2–3 ms for a typical 128-message slice.
 * - The move of new message keys into the big key table (migration 9), 40,000 keys in one statement: 45–58 ms
 *   at 1M. A stepping writer moves them in hash ranges before that.
 * - WAL checkpoints, which SQLite runs inside the commit that crosses `wal_autocheckpoint`: 35–57 ms.
 * A bulk writer (history sync) turns on bulk mode with `setBulk(true)` — automerge off, checkpoints by a
 * background thread (store/checkpointer.ts) — and calls `step()` between its transactions; each step is one
 * small transaction (a merge of MERGE_STEP_PAGES leaf pages, or the move of one hash range of KEY_CHUNK keys).
 * `npm run bench -- upkeep` (the last 200k of 1M messages): p99 of every transaction and step 52 → 10 ms.
 * Outside bulk mode every writer has FTS5's automerge and in-commit checkpoints (live messages written while a
 * set is in bulk mode go without them too, and their segments are merged by the same steps), and `noteNewKeys`
 * still moves all keys inline past a cap, so a caller that never steps (the store bench) stays correct and
 * bounded. A PASSIVE checkpoint every 200 ms keeps the WAL small at any ingest rate seen here.
 */
import type Database from 'better-sqlite3';

import { Checkpointer } from '../checkpointer.js';
import { WAL_AUTOCHECKPOINT_PAGES } from '../db.js';

/** FTS5's default automerge, restored after bulk writes (see migrations.ts, version 2). */
const AUTOMERGE_DEFAULT = 4;
/** Leaf pages of FTS5 merge work per step: 32–128 measured, ~1–4 ms typical; 64 balances steps and overhead. */
const MERGE_STEP_PAGES = 64;
/**
 * Past this many keys, `noteNewKeys` moves them all inline (the batch that amortises the big tree's pages;
 * a cap of 160,000 measured ~9 % slower store ingest than 40,000).
 */
const KEY_INLINE_MAX = 40_000;
/** A stepping writer starts a sweep at this many keys, well before the inline move. */
const KEY_SWEEP_AT = KEY_INLINE_MAX / 2;
/**
 * Keys moved per step of a sweep: one hash range, ~1/16 of the big tree's leaves at the sweep size (in a one-off
 * A/B at 1M messages, chunks of 5,000, ~1/4 of the leaves, took up to 8 ms a step; 1,250 at most 3.6 ms).
 */
const KEY_CHUNK = 1_250;
/**
 * The checkpointer thread outlives bulk mode by this long (history sets come one after another during a
 * sync), then ends: an idle server keeps no thread (~30 MB of RSS with its own isolate and page cache).
 */
const CHECKPOINTER_LINGER_MS = 2_000;

export class IndexMaintenance {
  private readonly countRecent: Database.Statement<[], number>;
  private readonly moveAll: Database.Statement<[]>;
  private readonly clearAll: Database.Statement<[]>;
  private readonly chunkEnd: Database.Statement<[number, number], number>;
  private readonly moveRange: Database.Statement<[number, number]>;
  private readonly clearRange: Database.Statement<[number, number]>;
  private readonly merge: Database.Statement<[number]>;
  private readonly totalChanges: Database.Statement<[], number>;
  private readonly automergeOff: Database.Statement<[]>;
  private readonly automergeOn: Database.Statement<[]>;
  /** Rows in message_keys_recent (read once, then counted here: this connection is the only writer). */
  private recent: number | null = null;
  /** Lower bound (exclusive) of the next hash range of a sweep in progress; null: no sweep. */
  private sweepFrom: number | null = null;
  private bulk = false;
  private checkpointer: Checkpointer | null = null;
  private linger: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
  ) {
    this.countRecent = db.prepare<[], number>('SELECT count(*) FROM message_keys_recent').pluck();
    this.moveAll = db.prepare('INSERT OR IGNORE INTO message_keys_main (hash, id) SELECT hash, id FROM message_keys_recent ORDER BY hash, id');
    this.clearAll = db.prepare('DELETE FROM message_keys_recent');
    // The hash that ends a chunk of KEY_CHUNK keys after `from` (null: fewer are left, the last chunk).
    this.chunkEnd = db.prepare<[number, number], number>('SELECT hash FROM message_keys_recent WHERE hash > ? ORDER BY hash LIMIT 1 OFFSET ?').pluck();
    this.moveRange = db.prepare(
      'INSERT OR IGNORE INTO message_keys_main (hash, id) SELECT hash, id FROM message_keys_recent WHERE hash > ? AND hash <= ? ORDER BY hash, id',
    );
    this.clearRange = db.prepare('DELETE FROM message_keys_recent WHERE hash > ? AND hash <= ?');
    this.merge = db.prepare(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', ?)`);
    this.totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
    // Literals: FTS5 wants an integer value here, and better-sqlite3 binds JS numbers as REAL.
    this.automergeOff = db.prepare(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 0)`);
    this.automergeOn = db.prepare(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', ${AUTOMERGE_DEFAULT})`);
    // A process that died during a bulk write left automerge off (a persistent FTS5 setting): restore it.
    const automerge = db.prepare(`SELECT v FROM messages_fts_config WHERE k = 'automerge'`).pluck().get() as number | undefined;
    if (automerge !== undefined && automerge !== AUTOMERGE_DEFAULT) this.automergeOn.run();
  }

  /** Called by the ingest transaction after adding `n` keys; moves them all inline past KEY_INLINE_MAX. */
  noteNewKeys(n: number): void {
    this.recent = this.recent === null ? this.countRecent.get()! : this.recent + n;
    if (this.recent < KEY_INLINE_MAX) return;
    this.moveAll.run();
    this.clearAll.run();
    this.recent = 0;
    this.sweepFrom = null;
  }

  /**
   * Bulk mode on: FTS5 merges happen only in `step()`, and WAL checkpoints on the checkpointer thread (when
   * the store is a file). Off: both inside commits again, as for every other writer.
   */
  setBulk(on: boolean): void {
    if (on === this.bulk) return;
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    if (on) {
      // The thread first: if it cannot start, bulk mode still works, with checkpoints in commits as usual.
      try {
        if (!this.checkpointer?.running) this.checkpointer = Checkpointer.start(this.path);
      } catch {
        this.checkpointer = null;
      }
    } else if (this.checkpointer) {
      const c = this.checkpointer;
      this.linger = setTimeout(() => c.stop(false), CHECKPOINTER_LINGER_MS).unref();
    }
    this.db.pragma(`wal_autocheckpoint = ${on && this.checkpointer?.running ? 0 : WAL_AUTOCHECKPOINT_PAGES}`);
    // Marked first: should the setting fail, `setBulk(false)` still runs and turns automerge back on.
    this.bulk = on;
    (on ? this.automergeOff : this.automergeOn).run();
  }

  /** Whether the checkpointer thread is running (bulk mode, and a little after). */
  get checkpointing(): boolean {
    return this.checkpointer?.running ?? false;
  }

  /** One bounded step of upkeep, in its own transaction; false when there was nothing to do. */
  step(): boolean {
    // The checkpointer died: checkpoint in commits again, as SQLite would have.
    if (this.bulk && this.checkpointer && !this.checkpointer.running) {
      this.checkpointer = null;
      this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    }
    return this.db.transaction(() => this.keyStep() || this.mergeStep()).immediate();
  }

  /** Stops the checkpointer thread (before the connection closes). */
  close(): void {
    if (this.linger) clearTimeout(this.linger);
    this.checkpointer?.stop(true);
    this.checkpointer = null;
  }

  private keyStep(): boolean {
    this.recent ??= this.countRecent.get()!;
    if (this.sweepFrom === null) {
      if (this.recent < KEY_SWEEP_AT) return false;
      this.sweepFrom = Number.MIN_SAFE_INTEGER;
    }
    const from = this.sweepFrom;
    const end = this.chunkEnd.get(from, KEY_CHUNK - 1);
    const to = end ?? Number.MAX_SAFE_INTEGER;
    this.moveRange.run(from, to);
    const moved = this.clearRange.run(from, to).changes;
    this.recent = Math.max(0, this.recent - moved);
    this.sweepFrom = end ?? null;
    return true;
  }

  private mergeStep(): boolean {
    // FTS5 docs: a 'merge' did work iff total_changes() grew by 2 or more. A positive page count merges only
    // levels holding `usermerge` (4) segments, or continues a merge in progress: what automerge would do.
    const before = this.totalChanges.get()!;
    this.merge.run(MERGE_STEP_PAGES);
    return this.totalChanges.get()! - before >= 2;
  }
}
