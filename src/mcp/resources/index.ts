/**
 * Resources: `whatsapp://connection` (subscribable), `whatsapp://chats`, `whatsapp://chats/{jid}` (a chat and
 * its live presence, subscribable) and `whatsapp://chats/{jid}/messages` (subscribable). Subscriptions are
 * handled by the hub.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { toAppError } from '../../services/errors.js';
import type { ToolDeps } from '../tools/tool-deps.js';
import { CHAT_TEMPLATE, CHATS_URI, CONNECTION_URI, MESSAGES_TEMPLATE, chatIdFromChatUri, chatIdFromMessagesUri, chatUri, messagesUri } from './uris.js';
import { MEDIA_URI_TEMPLATE } from '../tools/media/inline.js';
import { INLINE_MAX_BYTES } from '../tools/media/download-media.js';
import { normalizeMime } from '../../media/sniff.js';

const json = (uri: string, data: unknown) => ({ contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(data) }] });

export function registerResources(server: McpServer, deps: ToolDeps): void {
  server.registerResource(
    'connection',
    CONNECTION_URI,
    {
      title: 'WhatsApp connection',
      description: 'Connection lifecycle status (state, reason, own id, QR availability, health). Subscribe to be told about every state change.',
      mimeType: 'application/json',
    },
    (uri) => json(uri.href, deps.services.connection.status()),
  );

  server.registerResource(
    'chats',
    CHATS_URI,
    { title: 'Chats', description: 'The 100 most recent chats with their last message (use list_chats to page further).', mimeType: 'application/json' },
    (uri) => json(uri.href, { chats: deps.services.chats.list({ limit: 100 }).items }),
  );

  server.registerResource(
    'chat-messages',
    new ResourceTemplate(MESSAGES_TEMPLATE, {
      list: () => ({
        resources: deps.services.chats.list({ limit: 50, includeLastMessage: false }).items.map((c) => ({
          uri: messagesUri(c.id),
          name: `Messages with ${c.name}`,
          mimeType: 'application/json',
        })),
      }),
      complete: {
        // By name or JID prefix: "Ali" completes to Alice's chat JID.
        jid: (value) => {
          const q = value.trim();
          const byId = deps.services.chats.list({ limit: 100, includeLastMessage: false }).items.filter((c) => c.id.startsWith(q));
          const byName = q ? deps.services.chats.list({ limit: 20, includeLastMessage: false, query: q }).items : [];
          return [...new Set([...byName, ...byId].map((c) => c.id))].slice(0, 20);
        },
      },
    }),
    {
      title: 'Messages of a chat',
      description: 'The 50 newest messages of one chat, chronological. Subscribe to be told when a message arrives in that chat.',
      mimeType: 'application/json',
    },
    (uri) => {
      const chatId = chatIdFromMessagesUri(uri.href);
      if (chatId === null) throw new McpError(ErrorCode.InvalidParams, `Not a chat messages URI: ${uri.href}`);
      return deps.services.messages.list(chatId, { limit: 50 }).then(
        (page) => json(uri.href, page),
        (err: unknown) => {
          throw new McpError(ErrorCode.InvalidParams, toAppError(err).describe());
        },
      );
    },
  );

  server.registerResource(
    'chat',
    new ResourceTemplate(CHAT_TEMPLATE, {
      list: () => ({
        resources: deps.services.chats.list({ limit: 50, includeLastMessage: false }).items.map((c) => ({ uri: chatUri(c.id), name: c.name, mimeType: 'application/json' })),
      }),
    }),
    {
      title: 'A chat and its presence',
      description: 'One chat with its last message and live presence (typing, recording, online, last seen). Subscribe to be told when either changes.',
      mimeType: 'application/json',
    },
    (uri) => {
      const chatId = chatIdFromChatUri(uri.href);
      if (chatId === null) throw new McpError(ErrorCode.InvalidParams, `Not a chat URI: ${uri.href}`);
      try {
        const chat = deps.services.chats.get(chatId);
        deps.services.messages.watchPresence(chat.id);
        return json(uri.href, { chat, presence: deps.services.messages.presence(chat.id) });
      } catch (err) {
        throw new McpError(ErrorCode.InvalidParams, toAppError(err).describe());
      }
    },
  );

  server.registerResource(
    'message-media',
    new ResourceTemplate(MEDIA_URI_TEMPLATE, { list: undefined }),
    {
      title: 'Media of a message',
      description: 'The original bytes of a photo / video / audio / document message (downloaded once, up to 16 MB), as a blob with its MIME type.',
    },
    async (uri, vars) => {
      const raw = Array.isArray(vars.message_id) ? vars.message_id[0] : vars.message_id;
      try {
        const id = deps.services.messages.resolveId(decodeURIComponent(raw ?? ''));
        const r = await deps.media.download(id);
        if (r.file.size > INLINE_MAX_BYTES) {
          throw new McpError(ErrorCode.InvalidParams, `The file is ${Math.round(r.file.size / 1048576)} MB, more than a resource carries; fetch it from ${r.description.publicUrl ?? r.description.url}`);
        }
        const blob = (await deps.media.readBytes(r.file)).toString('base64');
        return { contents: [{ uri: uri.href, mimeType: normalizeMime(r.file.mime) ?? 'application/octet-stream', blob }] };
      } catch (err) {
        if (err instanceof McpError) throw err;
        throw new McpError(ErrorCode.InvalidParams, toAppError(err).describe());
      }
    },
  );

  // The resource set is fixed (registering resources makes the SDK claim listChanged: true).
  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: false } });
}
