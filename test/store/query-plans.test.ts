/**
 * The admin chat page and the export page read through the chat token's FTS doclist, so their cost does
 * not grow with the store: SQLite's plan for them must never SCAN the messages table (issue #11).
 */
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import { tempStore, type TempStore } from './helpers.js';

let t: TempStore | undefined;
afterEach(() => t?.cleanup());

function plan(db: Database.Database, sql: string): string[] {
  const params = (sql.match(/\?/g) ?? []).map(() => 1);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
}

function statementSql(repo: object, field: string): string {
  const stmt: unknown = Reflect.get(repo, field);
  expect(stmt, `MessagesRepo.${field}`).toBeDefined();
  return (stmt as Database.Statement).source;
}

describe('message page query plans', () => {
  it('list (newest first) and listForward (export) search messages by rowid, never scan it', () => {
    t = tempStore();
    const { store } = t;
    store.messages.upsertMessages(
      Array.from({ length: 30 }, (_, i) => ({ chatId: '447700900123@s.whatsapp.net', keyId: `K${i}`, fromMe: false, timestamp: 1_700_000_000_000 + i, type: 'text', body: `m${i}` })),
    );
    for (const field of ['pageStmt', 'afterStmt']) {
      const detail = plan(store.db, statementSql(store.messages, field));
      expect(detail.some((d) => /SEARCH m USING INTEGER PRIMARY KEY/.test(d)), detail.join('\n')).toBe(true);
      expect(detail.filter((d) => /^SCAN m\b/.test(d)), detail.join('\n')).toEqual([]);
    }
    // The check is not vacuous: the OFFSET query the routes used to run does scan.
    const offset = plan(store.db, 'SELECT m.id FROM messages m WHERE m.chat_id = ? ORDER BY m.id DESC LIMIT ? OFFSET ?');
    expect(offset.some((d) => /^SCAN m\b/.test(d))).toBe(true);
    // And the pages themselves are right: forward walk == reverse of the backward walk.
    const forward: string[] = [];
    for (let p = store.messages.listForward('447700900123@s.whatsapp.net', { limit: 7 }); ; ) {
      forward.push(...p.items.map((m) => m.body ?? ''));
      if (!p.nextCursor) break;
      p = store.messages.listForward('447700900123@s.whatsapp.net', { limit: 7, afterCursor: p.nextCursor });
    }
    expect(forward).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
  });
});
