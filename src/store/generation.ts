/**
 * The store's content generation: a number that moves whenever stored content may have changed, so a
 * service can answer a repeated read from memory (services/read-cache.ts, issue #17) without a rule per
 * table about which write invalidates what. SQLite keeps both counters, so no write path can forget to
 * bump it:
 * - `total_changes()`: rows inserted, updated or deleted through this connection (every repository,
 *   the auth state, the outbox; triggers included);
 * - `PRAGMA data_version`: moves when another connection commits (a worker thread, the sqlite3 CLI).
 * Over-invalidation (a write that changes nothing a cached read shows) only costs a recomputation.
 */
import type Database from 'better-sqlite3';

export class StoreGeneration {
  private readonly probe: Database.Statement<[], [number, number]>;
  private changes = -1;
  private version = -1;
  private generation = 0;

  constructor(private readonly db: Database.Database) {
    this.probe = db.prepare<[], [number, number]>('SELECT total_changes(), (SELECT data_version FROM pragma_data_version)').raw(true);
  }

  /**
   * The current generation; `null` inside a transaction, where what is read may still be rolled back
   * (total_changes() does not move back), so nothing read then may be kept.
   */
  current(): number | null {
    if (this.db.inTransaction) return null;
    const [changes, version] = this.probe.get()!;
    if (changes !== this.changes || version !== this.version) {
      this.changes = changes;
      this.version = version;
      this.generation++;
    }
    return this.generation;
  }
}
