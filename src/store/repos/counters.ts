/**
 * Status counters (SPEC `/api/status`, `check_auth_status`): read from the `counters` table that
 * triggers and the ingest path keep up to date — one indexed read of six rows, never a `COUNT(*)`.
 */
import { statSync } from 'node:fs';

import type Database from 'better-sqlite3';

import type { StoreCounters } from '../types.js';
import type { StoreContext } from './identity.js';

export class CountersRepo {
  private readonly readStmt: Database.Statement<[], { name: string; value: number }>;

  constructor(
    private readonly ctx: StoreContext,
    private readonly path: string,
  ) {
    this.readStmt = ctx.db.prepare('SELECT name, value FROM counters');
  }

  get(): StoreCounters {
    const v = new Map<string, number>();
    for (const r of this.readStmt.all()) v.set(r.name, r.value);
    let dbBytes = 0;
    if (this.path !== ':memory:') {
      try {
        dbBytes = statSync(this.path).size;
      } catch {
        dbBytes = 0;
      }
    }
    return {
      messages: v.get('messages') ?? 0,
      chats: v.get('chats') ?? 0,
      groups: v.get('groups') ?? 0,
      contacts: v.get('contacts') ?? 0,
      mediaFiles: v.get('media_files') ?? 0,
      lastMessageAt: v.get('last_message_ts') ?? 0,
      dbBytes,
      schemaVersion: this.ctx.db.pragma('user_version', { simple: true }) as number,
    };
  }

  /**
   * Recompute every counter with full scans. For repair / tests only — this is exactly the cost the
   * counters exist to avoid.
   */
  recount(): StoreCounters {
    this.ctx.db.exec(`
      UPDATE counters SET value = (SELECT count(*) FROM messages) WHERE name = 'messages';
      UPDATE counters SET value = (SELECT count(*) FROM chats) WHERE name = 'chats';
      UPDATE counters SET value = (SELECT count(*) FROM chats WHERE is_group = 1) WHERE name = 'groups';
      UPDATE counters SET value = (SELECT count(*) FROM contacts) WHERE name = 'contacts';
      UPDATE counters SET value = (SELECT count(*) FROM media_files) WHERE name = 'media_files';
      UPDATE counters SET value = coalesce((SELECT max(ts) FROM messages), 0) WHERE name = 'last_message_ts';
    `);
    return this.get();
  }
}
