/**
 * Migration 6: reactions, poll votes, edits, revokes and structured kinds of inbound messages (issue #14).
 * Reserved by the lead so the feature owning it can fill it in without touching migrations.ts.
 */
import type Database from 'better-sqlite3';

export const NAME = 'reactions, poll votes, edits, revokes and structured kinds of inbound messages (issue #14)';

export function up(_db: Database.Database): void {
  // filled in by the feature
}
