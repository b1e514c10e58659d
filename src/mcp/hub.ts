/**
 * Live notifications shared by every MCP session of the process: resource subscriptions
 * (`resources/subscribe`), `notifications/resources/updated` on lifecycle changes and new messages, and
 * server log lines forwarded to clients (`notifications/message`, filtered by each client's level).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ErrorCode,
  McpError,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type LoggingLevel,
} from '@modelcontextprotocol/sdk/types.js';
import type { LifecycleStatus } from '../runtime/index.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import { CHATS_URI, CONNECTION_URI, chatIdFromChatUri, chatIdFromMessagesUri } from './resources/uris.js';

interface Link {
  server: McpServer;
  sessionId?: string;
  /**
   * subscription key → every URI the client subscribed to it under (a chat by its phone JID and by its
   * LID is one key, and each URI gets its own update).
   */
  subscriptions: Map<string, Set<string>>;
}

export interface HubDeps {
  runtime: Runtime;
  store: Store;
  logger: Logger;
  /** Subscribing to a chat resource asks WhatsApp for that chat's presence (it sends presence only then). */
  services?: { messages: { watchPresence(chatJid: string): void } };
  /** Send safety's read rules: a hidden chat cannot be subscribed to, nor does it notify. */
  safety?: { canRead(jid: string): boolean };
}

export class McpHub {
  private readonly links = new Set<Link>();
  private readonly offRuntime: () => void;
  private readonly offPresence: () => void;
  private lastStatusKey = '';

  constructor(private readonly deps: HubDeps) {
    this.lastStatusKey = statusKey(deps.runtime.getStatus());
    this.offRuntime = deps.runtime.subscribe((change) => {
      if (change.type === 'status') this.onStatus(change.status);
    });
    // Presence (typing, online…) changes the chat resource only: not its messages, not the chat list.
    this.offPresence = deps.store.presence.subscribe((chatId) => {
      if (this.links.size > 0) this.notify(`chat:${chatId}`);
    });
  }

  get size(): number {
    return this.links.size;
  }

  /** Wires subscribe/unsubscribe for one session's server; returns a handle to detach it later. */
  attach(server: McpServer): Link {
    const link: Link = { server, subscriptions: new Map() };
    server.server.setRequestHandler(SubscribeRequestSchema, (req) => {
      const key = this.keyOf(req.params.uri);
      if (!this.visible(key)) throw new McpError(ErrorCode.InvalidParams, `No resource ${req.params.uri}: list the chats you can see with list_chats`);
      const uris = link.subscriptions.get(key) ?? new Set<string>();
      uris.add(req.params.uri);
      link.subscriptions.set(key, uris);
      if (key.startsWith('chat:')) this.deps.services?.messages.watchPresence(key.slice('chat:'.length));
      return {};
    });
    server.server.setRequestHandler(UnsubscribeRequestSchema, (req) => {
      const key = this.keyOf(req.params.uri);
      const uris = link.subscriptions.get(key);
      uris?.delete(req.params.uri);
      if (uris?.size === 0) link.subscriptions.delete(key);
      return {};
    });
    this.links.add(link);
    return link;
  }

  detach(link: Link): void {
    this.links.delete(link);
    link.subscriptions.clear();
  }

  private keyOf(uri: string): string {
    if (uri === CONNECTION_URI) return 'connection';
    if (uri === CHATS_URI) return 'chats';
    const chat = chatIdFromMessagesUri(uri);
    if (chat !== null) {
      const jid = this.deps.store.identity.resolve(chat);
      if (jid !== null) return `messages:${jid}`;
    }
    const one = chatIdFromChatUri(uri);
    if (one !== null) {
      const jid = this.deps.store.identity.resolve(one);
      if (jid !== null) return `chat:${jid}`;
    }
    throw new McpError(ErrorCode.InvalidParams, `Unknown resource ${uri}: subscribe to ${CONNECTION_URI}, ${CHATS_URI}, whatsapp://chats/{jid} or whatsapp://chats/{jid}/messages`);
  }

  /** Whether a subscription key (`chat:<jid>`, `messages:<jid>`, …) names a chat the read rules show. */
  private visible(key: string): boolean {
    const i = key.indexOf(':');
    return i < 0 || !key.slice(i + 1).includes('@') || (this.deps.safety?.canRead(key.slice(i + 1)) ?? true);
  }

  private notify(key: string): void {
    if (!this.visible(key)) return;
    for (const link of this.links) {
      for (const uri of link.subscriptions.get(key) ?? []) {
        link.server.server.sendResourceUpdated({ uri }).catch((err: unknown) => this.deps.logger.debug({ err, uri }, 'resources/updated not delivered'));
      }
    }
  }

  /** Called after messages were ingested: updates `whatsapp://chats/{jid}/messages` and `whatsapp://chats` subscribers. */
  notifyNewMessages(chatIds: readonly string[]): void {
    if (this.links.size === 0) return;
    const keys = new Set<string>();
    for (const id of chatIds) {
      const jid = this.deps.store.identity.resolve(id);
      if (jid !== null) keys.add(`messages:${jid}`);
    }
    for (const k of keys) {
      this.notify(k);
      this.notify(`chat:${k.slice('messages:'.length)}`);
    }
    if (keys.size > 0) this.notify('chats');
  }

  private onStatus(status: LifecycleStatus): void {
    const key = statusKey(status);
    if (key === this.lastStatusKey) return;
    const stateChanged = JSON.parse(this.lastStatusKey || '{}').state !== status.state;
    this.lastStatusKey = key;
    // Log first: on the same stream, a client that sees the update has already seen the log line.
    if (stateChanged) {
      this.log(status.state === 'stuck' ? 'error' : status.state === 'open' ? 'notice' : 'warning', {
        event: 'connection',
        state: status.state,
        reason: status.reason,
      });
    }
    this.notify('connection');
  }

  /** Forwards one log record to every connected client (each client's `logging/setLevel` filters). */
  log(level: LoggingLevel, data: Record<string, unknown>): void {
    for (const link of this.links) {
      link.server.server
        .sendLoggingMessage({ level, logger: 'whatsapp-mcp', data }, link.sessionId)
        .catch(() => undefined);
    }
  }

  close(): void {
    this.offRuntime();
    this.offPresence();
    this.links.clear();
  }
}

/** The parts of the status a subscriber cares about (deadline ticks alone are not a change). */
function statusKey(s: LifecycleStatus): string {
  return JSON.stringify({ state: s.state, reason: s.reason, qr: s.qr, me: s.me, lastDisconnect: s.lastDisconnect });
}

export type HubLink = Link;
