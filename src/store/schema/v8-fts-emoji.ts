/**
 * Migration 8: emoji become searchable tokens: re-index message text (issue #13).
 * Reserved by the lead so the feature owning it can fill it in without touching migrations.ts.
 */
import type Database from 'better-sqlite3';

export const NAME = 'emoji become searchable tokens: re-index message text (issue #13)';

export function up(_db: Database.Database): void {
  // filled in by the feature
}
