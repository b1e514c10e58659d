/**
 * Migration 8: emoji become searchable tokens: re-index message text (issue #13).
 *
 * Until now the indexed text kept emoji as they were and unicode61 dropped them as separators; text.ts
 * now appends each emoji's private-use token to the indexed text (see its header). The index is
 * contentless, so a row is re-indexed by deleting it (`contentless_delete=1`) and inserting it again.
 * Only rows whose text actually changes under the new rule are touched — a message without emoji
 * indexes exactly as before — so the cost is one read of the message table plus the emoji messages.
 * Pages of `BATCH` rows by rowid keep memory flat; all of it runs inside the migration's transaction,
 * so an interrupted upgrade leaves version 7 intact and the next start redoes it.
 */
import type Database from 'better-sqlite3';

import { ftsMeta } from '../fts.js';
import { ftsText, hasEmoji } from '../text.js';

export const NAME = 'emoji become searchable tokens: re-index message text (issue #13)';

const BATCH = 5000;

interface Row {
  id: number;
  chat_id: number;
  sender: string;
  body: string | null;
  caption: string | null;
}

export function up(db: Database.Database): void {
  const page = db.prepare<[number, number], Row>('SELECT id, chat_id, sender, body, caption FROM messages WHERE id > ? ORDER BY id LIMIT ?');
  const del = db.prepare<[number]>('DELETE FROM messages_fts WHERE rowid = ?');
  const ins = db.prepare<[number, string, string]>('INSERT INTO messages_fts (rowid, text, meta) VALUES (?, ?, ?)');
  for (let after = -1; ; ) {
    const rows = page.all(after, BATCH);
    for (const r of rows) {
      if (!changes(r.body) && !changes(r.caption)) continue;
      del.run(r.id);
      ins.run(r.id, ftsText(r.body, r.caption), ftsMeta(r.chat_id, r.sender));
    }
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) break;
    after = last.id;
  }
}

/** The text indexes differently now (it has at least one emoji). */
function changes(text: string | null): boolean {
  return text !== null && hasEmoji(text);
}
