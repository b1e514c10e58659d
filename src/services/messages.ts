/** Messages: chronological pages, full-text search, lookups, context, last interaction. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Message, MessageContext } from '../store/index.js';
import type { ServiceDeps } from './context.js';
import { invalidInput, notFound } from '../errors.js';

export interface MediaInfo {
  mimetype: string | null;
  downloaded: boolean;
  fileName?: string;
  size?: number;
  /** Path under the server's `/media` route, when the file has been downloaded. */
  url?: string;
  /** Base64 bytes (only with `include_full_data` and for files up to `maxInlineBytes`). */
  data?: string;
}

export type MessageWithMedia = Message & { media?: MediaInfo };

export interface ListOptions {
  limit?: number;
  before?: number;
  cursor?: string;
  includeMedia?: boolean;
  includeFullData?: boolean;
  mediaLimit?: number;
}

export interface SearchInput {
  chatId?: string;
  limit?: number;
  since?: number;
  until?: number;
}

/** Inline at most this many bytes per media file in a tool result. */
const MAX_INLINE_BYTES = 2 * 1024 * 1024;

export class MessagesService {
  constructor(private readonly deps: ServiceDeps) {}

  private chatJid(input: string): string {
    const jid = this.deps.store.identity.resolve(input);
    if (jid === null) throw invalidInput(`"${input}" is not a chat id`, 'Pass a chat JID from list_chats');
    if (this.deps.store.chats.findId(jid) === undefined) {
      throw notFound(`No chat with ${jid}`, 'Use list_chats or get_chat_by_contact to find the chat id');
    }
    return jid;
  }

  async list(chatId: string, opts: ListOptions = {}): Promise<{ chatId: string; messages: MessageWithMedia[]; nextCursor?: string }> {
    const jid = this.chatJid(chatId);
    const page = this.deps.store.messages.list(jid, { limit: opts.limit, before: opts.before, cursor: opts.cursor });
    const messages: MessageWithMedia[] = page.items;
    if (opts.includeMedia || opts.includeFullData) {
      let budget = opts.mediaLimit ?? 5;
      // Newest media first: they are the likeliest to matter.
      for (let i = messages.length - 1; i >= 0 && budget > 0; i--) {
        const m = messages[i]!;
        if (!m.hasMedia) continue;
        budget--;
        messages[i] = { ...m, media: await this.mediaInfo(m, opts.includeFullData ?? false) };
      }
    }
    return page.nextCursor ? { chatId: jid, messages, nextCursor: page.nextCursor } : { chatId: jid, messages };
  }

  private async mediaInfo(m: Message, withData: boolean): Promise<MediaInfo> {
    const file = this.deps.store.media.getByMessage(m.id);
    if (!file) return { mimetype: m.mediaMime ?? null, downloaded: false };
    const info: MediaInfo = { mimetype: file.mime, downloaded: true, fileName: file.fileName, size: file.size, url: `/media/${encodeURIComponent(file.fileName)}` };
    if (withData && file.size <= MAX_INLINE_BYTES) {
      try {
        info.data = (await readFile(join(this.deps.config.mediaDir, file.fileName))).toString('base64');
      } catch (err) {
        this.deps.logger.warn({ err, file: file.fileName }, 'media file listed in the store is missing on disk');
        info.downloaded = false;
      }
    }
    return info;
  }

  search(query: string, opts: SearchInput = {}) {
    if (query.trim().length === 0) throw invalidInput('The search query is empty', 'Pass one or more words to search for');
    if (opts.since !== undefined && opts.until !== undefined && opts.since > opts.until) {
      throw invalidInput('The time range is empty ("from" is after "to")', 'Swap or widen the from/to bounds');
    }
    const chatId = opts.chatId === undefined ? undefined : this.chatJid(opts.chatId);
    const r = this.deps.store.messages.search(query, { chatId, limit: opts.limit, since: opts.since, until: opts.until });
    return { query, hits: r.hits.map((h) => ({ message: h.message, snippet: h.snippet, score: h.score })), truncated: r.truncated };
  }

  get(messageId: string): Message {
    const m = this.deps.store.messages.get(messageId);
    if (!m) throw notFound(`No message with id ${messageId}`, 'Message ids look like <chatJid>:<keyId>; take them from list_messages or search_messages');
    return m;
  }

  context(messageId: string, limit = 20): MessageContext {
    const c = this.deps.store.messages.context(messageId, limit);
    if (!c) throw notFound(`No message with id ${messageId}`, 'Message ids look like <chatJid>:<keyId>; take them from list_messages or search_messages');
    return c;
  }

  lastInteraction(input: string): { jid: string; message: Message | null } {
    const jid = this.deps.store.identity.resolve(input);
    if (jid === null) throw invalidInput(`"${input}" is not a WhatsApp id or phone number`, 'Pass a JID, LID or phone number with country code');
    return { jid, message: this.deps.store.messages.lastInteraction(jid) };
  }
}
