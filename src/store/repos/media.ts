/** Media files repository: metadata of files stored in the media dir (the bytes live on disk). */
import type Database from 'better-sqlite3';

import type { MediaFile } from '../types.js';
import type { StoreContext } from './identity.js';

interface MediaRow {
  id: string;
  file_name: string;
  original_name: string | null;
  mime: string;
  size: number;
  sha256: string;
  message_id: string | null;
  created_at: number;
}

function toMedia(r: MediaRow): MediaFile {
  const m: MediaFile = {
    id: r.id,
    fileName: r.file_name,
    originalName: r.original_name,
    mime: r.mime,
    size: r.size,
    sha256: r.sha256,
    createdAt: r.created_at,
  };
  if (r.message_id !== null) m.messageId = r.message_id;
  return m;
}

export class MediaRepo {
  private readonly insertStmt: Database.Statement<unknown[]>;
  private readonly byId: Database.Statement<[string], MediaRow>;
  private readonly byFile: Database.Statement<[string], MediaRow>;
  private readonly byMessage: Database.Statement<[string], MediaRow>;
  private readonly deleteStmt: Database.Statement<[string]>;
  private readonly bySha: Database.Statement<[string], MediaRow>;
  private readonly byChat: Database.Statement<[string, string, string, number], MediaRow>;

  constructor(ctx: StoreContext) {
    const db = ctx.db;
    this.insertStmt = db.prepare(
      `INSERT INTO media_files (id, file_name, original_name, mime, size, sha256, message_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET message_id = coalesce(excluded.message_id, media_files.message_id)`,
    );
    this.byId = db.prepare('SELECT * FROM media_files WHERE id = ?');
    this.byFile = db.prepare('SELECT * FROM media_files WHERE file_name = ?');
    this.byMessage = db.prepare('SELECT * FROM media_files WHERE message_id = ? ORDER BY created_at DESC LIMIT 1');
    this.deleteStmt = db.prepare('DELETE FROM media_files WHERE id = ?');
    this.bySha = db.prepare('SELECT * FROM media_files WHERE sha256 = ? ORDER BY created_at LIMIT 1');
    // message ids are `<chatJid>:<keyId>`: a range over the message_id index.
    this.byChat = db.prepare(`SELECT * FROM media_files
        WHERE (message_id, file_name) > (?, ?) AND message_id < ? ORDER BY message_id, file_name LIMIT ?`);
  }

  /** The oldest stored file with these bytes (content de-duplication). */
  getBySha256(sha256: string): MediaFile | null {
    const r = this.bySha.get(sha256);
    return r ? toMedia(r) : null;
  }

  /** Files downloaded for messages of a chat (canonical chat JID), in keyset pages of `pageSize`. */
  *ofChat(chatJid: string, pageSize = 200): Generator<MediaFile> {
    // Keyset pages of `.all()` rather than one `.iterate()`: callers run other queries (or await) between items.
    let after: [string, string] = [`${chatJid}:`, ''];
    for (;;) {
      const rows = this.byChat.all(after[0], after[1], `${chatJid};`, pageSize);
      for (const r of rows) yield toMedia(r);
      const last = rows.at(-1);
      if (rows.length < pageSize || !last || last.message_id === null) return;
      after = [last.message_id, last.file_name];
    }
  }

  /** Record a stored file (idempotent on `id`; a later call may attach the message id). */
  add(file: MediaFile): void {
    this.insertStmt.run(file.id, file.fileName, file.originalName, file.mime, file.size, file.sha256, file.messageId ?? null, file.createdAt);
  }

  get(id: string): MediaFile | null {
    const r = this.byId.get(id);
    return r ? toMedia(r) : null;
  }

  getByFileName(fileName: string): MediaFile | null {
    const r = this.byFile.get(fileName);
    return r ? toMedia(r) : null;
  }

  /** The newest file downloaded for a message (`<chatJid>:<keyId>`), if any. */
  getByMessage(messageId: string): MediaFile | null {
    const r = this.byMessage.get(messageId);
    return r ? toMedia(r) : null;
  }

  remove(id: string): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }
}
