/**
 * Migration 7: the outbox of writes (pending approval, queued, sent) and the audit log (issue #15).
 *
 * `outbox` holds every write that does not go out in the call that asked for it: waiting for a human
 * (pending_approval), waiting for its pacing slot or for the connection (queued). The row is the write's
 * identity across restarts: its `send_id` is the idempotency key and the WhatsApp message id, so a
 * delivery interrupted by a crash is retried as the same message, never as a second one.
 * `audit_log` is append-only: one line per decision about a write, whatever the path.
 */
import type Database from 'better-sqlite3';

export const NAME = 'the outbox of writes (pending approval, queued, sent), and the audit log (issue #15)';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE outbox (
      id          INTEGER PRIMARY KEY,
      send_id     TEXT NOT NULL UNIQUE,
      tool        TEXT NOT NULL,
      args        TEXT NOT NULL,            -- the validated tool arguments (JSON)
      chat_jid    TEXT,                     -- the chat written to, when there is one
      summary     TEXT NOT NULL,            -- one line for the approver and the audit log
      status      TEXT NOT NULL,            -- pending_approval | queued | sending | sent | failed | rejected | expired | cancelled
      reason      TEXT,                     -- why it waits (approval, pacing, offline)
      client      TEXT,                     -- MCP client name and session that asked
      session_id  TEXT,
      new_recipient INTEGER NOT NULL DEFAULT 0,
      created_at  INTEGER NOT NULL,
      not_before  INTEGER,                  -- queued: earliest delivery time (pacing)
      expires_at  INTEGER,                  -- pending_approval: when it lapses
      decided_by  TEXT,                     -- who approved/rejected/cancelled
      result      TEXT,                     -- the tool's result (JSON) once sent
      error       TEXT,                     -- failed/rejected/expired: why
      updated_at  INTEGER NOT NULL
    );
    CREATE INDEX outbox_status ON outbox (status, id);

    CREATE TABLE audit_log (
      id         INTEGER PRIMARY KEY,
      at         INTEGER NOT NULL,
      tool       TEXT NOT NULL,
      client     TEXT,
      session_id TEXT,
      chat_jid   TEXT,
      recipient  TEXT,                      -- recipient name as shown to the approver
      summary    TEXT NOT NULL,
      decision   TEXT NOT NULL,             -- auto | elicited | declined | pending | approved | rejected | expired | cancelled | denied | queued
      result     TEXT NOT NULL,             -- sent | failed: … | pending | queued | refused: …
      send_id    TEXT
    );
    CREATE INDEX audit_log_at ON audit_log (at);

    -- Pacing history: when each message went out, to whom, and whether it opened a new chat.
    CREATE TABLE send_log (
      at            INTEGER NOT NULL,
      chat_jid      TEXT NOT NULL,
      new_recipient INTEGER NOT NULL
    );
    CREATE INDEX send_log_at ON send_log (at);
    CREATE INDEX send_log_chat ON send_log (chat_jid, at);
  `);
}
