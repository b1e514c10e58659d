/**
 * Business logic shared by the MCP tools and the HTTP API. One instance per process: the duplicate-text
 * window and idempotency waiters are process-wide state.
 */
import { ChatsService } from './chats.js';
import { ConnectionService } from './connection.js';
import { ContactsService } from './contacts.js';
import type { ServiceDeps } from './context.js';
import { GroupsService } from './groups.js';
import { MessagesService } from './messages.js';
import { SendingService } from './sending.js';

export interface Services {
  connection: ConnectionService;
  contacts: ContactsService;
  chats: ChatsService;
  messages: MessagesService;
  groups: GroupsService;
  sending: SendingService;
  /** Stops background timers (idempotency pruning). */
  close(): void;
}

export function createServices(deps: ServiceDeps, opts: { auditConcurrency?: number } = {}): Services {
  const contacts = new ContactsService(deps);
  const sending = new SendingService(deps);
  return {
    connection: new ConnectionService(deps),
    contacts,
    chats: new ChatsService(deps),
    messages: new MessagesService(deps),
    groups: new GroupsService(deps, contacts, { concurrency: opts.auditConcurrency }),
    sending,
    close: () => sending.close(),
  };
}

export type { ServiceDeps } from './context.js';
export { ServiceError, toServiceError, notConnected } from './errors.js';
