/**
 * `openStore()` and the `Store` facade. Free of Baileys imports, so tools and benchmarks that only
 * need the store do not pay for loading Baileys; `index.ts` re-exports this plus the auth state.
 */
import type Database from 'better-sqlite3';

import { openDatabase } from './db.js';
import { StoreGeneration } from './generation.js';
import { schemaVersion } from './migrations.js';
import { ChatsRepo } from './repos/chats.js';
import { ContactsRepo } from './repos/contacts.js';
import { CountersRepo } from './repos/counters.js';
import { GroupsRepo } from './repos/groups.js';
import { IdempotencyRepo } from './repos/idempotency.js';
import { IdentityRepo, type StoreContext } from './repos/identity.js';
import { IndexMaintenance } from './repos/index-maintenance.js';
import { MediaRepo } from './repos/media.js';
import { MessagesRepo } from './repos/messages.js';
import { PresenceBook } from './presence.js';
import { AuditRepo, OutboxRepo } from './repos/outbox.js';

export interface OpenStoreOptions {
  /** Lock wait for writers (ms). Default 5000. */
  busyTimeoutMs?: number;
  /** SQLite page cache in KiB. Default 16384 (16 MiB). */
  cacheSizeKiB?: number;
  /** Candidate window of the recency-bounded bm25 ranking (see MessagesRepo.search). Default 200. */
  searchCandidates?: number;
  /** Clock (ms), injectable for tests. Default `Date.now`. */
  now?: () => number;
}

export interface Store {
  /** The underlying connection (for the auth state and maintenance; prefer the repositories). */
  readonly db: Database.Database;
  readonly path: string;
  readonly identity: IdentityRepo;
  readonly contacts: ContactsRepo;
  readonly chats: ChatsRepo;
  readonly messages: MessagesRepo;
  readonly groups: GroupsRepo;
  readonly media: MediaRepo;
  readonly idempotency: IdempotencyRepo;
  readonly counters: CountersRepo;
  /** Live presence of chats (#14): in memory only, never written to the database. */
  readonly presence: PresenceBook;
  /** Send safety (issue #15): writes waiting for approval or delivery, the pacing log. */
  readonly outbox: OutboxRepo;
  readonly audit: AuditRepo;
  /** Current schema version (`PRAGMA user_version`). */
  schemaVersion(): number;
  /**
   * A number that moves whenever stored content may have changed (any write, by any connection);
   * `null` inside a transaction. Reads keyed by it can be answered from memory (generation.ts).
   */
  generation(): number | null;
  /** Bulk mode and index upkeep in bounded steps (FTS5 merges, the key-table move, WAL checkpoints on a thread). */
  readonly maintenance: IndexMaintenance;
  /** Checkpoint the WAL and close the connection. Idempotent. */
  close(): void;
}

/**
 * Open (creating if needed) the store at `path` and migrate it to the latest schema.
 * @throws StoreVersionError when the file was written by a newer schema version.
 */
export function openStore(path: string, opts: OpenStoreOptions = {}): Store {
  const db = openDatabase(path, { busyTimeoutMs: opts.busyTimeoutMs, cacheSizeKiB: opts.cacheSizeKiB });
  const ctx: StoreContext = { db, chatIds: new Map(), canonical: new Map(), ingestMemo: new Map(), now: opts.now ?? Date.now };
  const identity = new IdentityRepo(ctx);
  const contacts = new ContactsRepo(ctx, identity);
  const chats = new ChatsRepo(ctx, identity);
  const maintenance = new IndexMaintenance(db, path);
  const messages = new MessagesRepo(ctx, identity, chats, maintenance, { searchCandidates: opts.searchCandidates });
  const groups = new GroupsRepo(ctx, identity, chats);
  const media = new MediaRepo(ctx);
  const idempotency = new IdempotencyRepo(ctx);
  const counters = new CountersRepo(ctx, path);
  const outbox = new OutboxRepo(ctx);
  const audit = new AuditRepo(ctx);
  const generation = new StoreGeneration(db);
  let closed = false;
  return {
    db,
    path,
    identity,
    contacts,
    chats,
    messages,
    groups,
    media,
    idempotency,
    counters,
    presence: new PresenceBook(ctx.now),
    outbox,
    audit,
    schemaVersion: () => schemaVersion(db),
    generation: () => generation.current(),
    maintenance,
    close: () => {
      if (closed) return;
      closed = true;
      maintenance.close();
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.pragma('optimize');
      } finally {
        db.close();
      }
    },
  };
}

export type { IndexMaintenance, IdentityRepo, ContactsRepo, ChatsRepo, MessagesRepo, GroupsRepo, MediaRepo, IdempotencyRepo, CountersRepo, OutboxRepo, AuditRepo };

