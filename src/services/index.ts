/**
 * The use cases shared by the MCP tools and the HTTP API, built once by the composition root: the
 * duplicate-text window and the idempotency waiters are process-wide state.
 */
import { ActionsService } from './actions.js';
import { ChatsService } from './chats.js';
import { ConnectionService } from './connection.js';
import { ContactsService } from './contacts.js';
import type { ServiceDeps } from './context.js';
import { GroupAdminService } from './group-admin.js';
import { GroupsService } from './groups.js';
import { Idempotency } from './idempotency.js';
import { MessagesService } from './messages.js';
import { SendingService } from './sending.js';

export interface Services {
  connection: ConnectionService;
  contacts: ContactsService;
  chats: ChatsService;
  messages: MessagesService;
  groups: GroupsService;
  sending: SendingService;
  /** Reactions, edits, deletes, forwards, location/contact/poll, presence, number checks (#14). */
  actions: ActionsService;
  /** Group create / participants / settings / invite / join / leave (#14). */
  groupAdmin: GroupAdminService;
  /** The one "at most once per key" guard for every write tool. */
  idempotency: Idempotency;
  /** Stops background timers (idempotency pruning). */
  close(): void;
}

export function createServices(deps: ServiceDeps, opts: { auditConcurrency?: number } = {}): Services {
  const contacts = new ContactsService(deps);
  const idempotency = new Idempotency({ store: deps.store, logger: deps.logger, ttlMs: deps.config.sending.idempotencyTtlMs });
  const messages = new MessagesService(deps);
  return {
    connection: new ConnectionService(deps),
    contacts,
    chats: new ChatsService(deps),
    messages,
    groups: new GroupsService(deps, contacts, { concurrency: opts.auditConcurrency }),
    sending: new SendingService(deps, idempotency),
    actions: new ActionsService(deps, idempotency, messages),
    groupAdmin: new GroupAdminService(deps, idempotency),
    idempotency,
    close: () => idempotency.close(),
  };
}

export type { ServiceDeps } from './context.js';
export { toAppError, notConnected } from './errors.js';
