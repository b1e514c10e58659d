/**
 * Migration 7: the outbox of writes (pending approval, queued, sent), and the audit log (issue #15).
 * Reserved by the lead so the feature owning it can fill it in without touching migrations.ts.
 */
import type Database from 'better-sqlite3';

export const NAME = 'the outbox of writes (pending approval, queued, sent), and the audit log (issue #15)';

export function up(_db: Database.Database): void {
  // filled in by the feature
}
