/**
 * SQLite store (better-sqlite3): everything the server persists except settings and media bytes.
 *
 * Map of files:
 * - `index.ts`        public entry point (this file): re-exports everything below
 * - `store.ts`        `openStore()` and the `Store` facade (no Baileys import)
 * - `db.ts`           connection pragmas (WAL, synchronous=NORMAL, busy timeout, foreign keys, cache)
 * - `migrations.ts`   schema, versioned by `PRAGMA user_version`; `StoreVersionError`
 * - `types.ts`        domain types: Message, Chat, Contact (SPEC §3) and the plain-data ingest inputs
 * - `identity.ts`     pure JID helpers: `normalizeJid`, `phoneToJid`, `jidKind`, `isWeakName`
 * - `text.ts`         FTS tokenizer rationale, CJK bigrams, query parsing, snippet highlighting
 * - `fts.ts`          lookup tokens (chat, author, key) stored in the FTS index, the only secondary index
 * - `cursor.ts`       opaque keyset cursors
 * - `sql.ts`          helper for statements that reuse numbered parameters (`?1 … ?1`)
 * - `auth-state.ts`   `useStoreAuthState()`: Baileys creds + signal keys (the only Baileys import)
 * - `repos/identity.ts`   LID ↔ phone mappings, canonical ids, merging LID rows into phone rows
 * - `repos/contacts.ts`   contacts, `resolve` / `search` scored over all contacts
 * - `repos/chats.ts`      chats, `listChats` / `listGroups` (one statement per page)
 * - `repos/messages.ts`   batch ingest, pages, context, status/edit/revoke, full-text search
 * - `repos/message-row.ts` the shared Message projection
 * - `repos/groups.ts`     group metadata + participants
 * - `repos/media.ts`      media file metadata
 * - `repos/idempotency.ts` idempotency keys (claim / complete / release / prune)
 * - `repos/counters.ts`   cheap status counters
 *
 * Design notes (details in the files named):
 * - message rowids encode time (`ts_ms * 1024 + slot`), so rowid order is chronological everywhere;
 * - the messages table has no secondary B-tree index: chat pages, message-by-key, author filters and
 *   text search are all served by the FTS5 index (log-structured, cheap to write) — migrations.ts;
 * - search ranks the newest N matches by bm25 (recency-bounded), so frequent words stay fast — repos/messages.ts;
 * - writes never downgrade: names ignore empty / JID-like values, status only moves forward,
 *   re-delivered messages only fill gaps, edits and revokes keep the previous text.
 *
 * The store is synchronous (better-sqlite3): every call is a few microseconds to milliseconds and runs
 * on the caller's thread; use one Store per process.
 */
export { LATEST_VERSION, MIGRATIONS, StoreVersionError, migrate } from './migrations.js';
export { openDatabase } from './db.js';
export { useStoreAuthState, hasStoredCreds, type StoreAuthState } from './auth-state.js';
export { openStore, type OpenStoreOptions, type Store } from './store.js';
export type { IdentityRepo, ContactsRepo, ChatsRepo, MessagesRepo, GroupsRepo, MediaRepo, IdempotencyRepo, CountersRepo } from './store.js';
export { InvalidCursorError } from './cursor.js';
export { normalizeJid, phoneToJid, toJid, jidKind, jidUser, isWeakName, looksLikePhone, type JidKind } from './identity.js';
export { fallbackChatName, type ListChatsOptions } from './repos/chats.js';
export type { IngestResult, ListMessagesOptions } from './repos/messages.js';
export { splitMessageId } from './repos/message-row.js';
export type { ClaimOutcome } from './repos/idempotency.js';
export { OUTBOX_STATUSES, OPEN_STATUSES, type NewOutboxEntry, type OutboxEntry, type OutboxStatus, type AuditDecision, type AuditEntry } from './repos/outbox.js';
export * from './types.js';
export { PresenceBook, TYPING_TIMEOUT_MS, type PersonPresence, type PresenceState as ChatPresenceState } from './presence.js';
