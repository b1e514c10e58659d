import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { ChatShape, READ_ONLY_LOCAL, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const PersonPresence = z.object({
  jid: z.string(),
  name: z.string(),
  state: z.enum(['typing', 'recording', 'online', 'offline']),
  time: z.string().describe('When WhatsApp reported it (ISO-8601)'),
  lastSeen: z.string().optional(),
});

export const PresenceShape = z
  .object({
    state: z.enum(['typing', 'recording', 'online', 'offline', 'unknown']),
    time: z.string().optional(),
    lastSeen: z.string().optional().describe('Last seen online (ISO-8601), when the person shares it'),
    people: z.array(PersonPresence).optional().describe('Groups: each member WhatsApp reported, newest first'),
  })
  .describe('Live presence (kept in memory only; "unknown" until WhatsApp reports it)');

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Get a chat by id',
  description:
    'One chat (with its last message) by chat JID, LID or phone number, and its live presence (typing, recording, online, last seen; ' +
    'the first call asks WhatsApp for it, so it may read "unknown" until WhatsApp answers). Errors when there is no such chat.',
  inputSchema: toolInput({ jid: jidInput('Chat JID (…@s.whatsapp.net, …@g.us, …@lid) or phone number') }),
  outputSchema: z.object({ chat: ChatShape, presence: PresenceShape.optional() }),
  annotations: READ_ONLY_LOCAL,
};

export function registerGetChatByIdTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_chat_by_id',
    CONFIG,
    ({ jid }) =>
      run(deps, 'get_chat_by_id', () => {
        const chat = deps.services.chats.get(jid);
        // Presence is sent by WhatsApp only for subscribed JIDs: opening a chat subscribes (as the phone does).
        deps.services.messages.watchPresence(chat.id);
        return { chat, presence: deps.services.messages.presence(chat.id) };
      }),
  );
}
