import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Mark a chat as read',
  description:
    'Sends WhatsApp read receipts (senders see blue ticks) for the unread incoming messages of a chat, up to up_to_message_id or all, and clears them from unreadCount. ' +
    'Needs an open connection when there is something to mark.',
  inputSchema: toolInput({
    chat_id: jidInput('Chat JID or phone number'),
    up_to_message_id: z.string().trim().min(1).max(300).optional().describe('Read up to and including this message (id from list_messages); default: everything'),
  }),
  outputSchema: z.object({
    chatId: z.string(),
    chatName: z.string(),
    receipts: z.number().describe('Messages a read receipt was sent for (0 when nothing was unread)'),
    unreadCount: z.number().describe('Unread messages left (newer than up_to_message_id)'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

export function registerMarkAsReadTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'mark_as_read',
    CONFIG,
    (a) => run(deps, 'mark_as_read', async () => ({ ...(await deps.services.chats.markAsRead(a.chat_id, a.up_to_message_id)) })),
  );
}
