import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { ChatShape, READ_ONLY_LOCAL, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Get a chat by id',
  description: 'One chat (with its last message) by chat JID, LID or phone number. Errors when there is no such chat.',
  inputSchema: toolInput({ jid: jidInput('Chat JID (…@s.whatsapp.net, …@g.us, …@lid) or phone number') }),
  outputSchema: z.object({ chat: ChatShape }),
  annotations: READ_ONLY_LOCAL,
};

export function registerGetChatByIdTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_chat_by_id',
    CONFIG,
    ({ jid }) => run(deps, 'get_chat_by_id', () => ({ chat: deps.services.chats.get(jid) })),
  );
}
