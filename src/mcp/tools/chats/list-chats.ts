import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { ChatShape, READ_ONLY_LOCAL, cursorInput, limitInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

export const ChatPageOutput = z.object({
  chats: z.array(ChatShape),
  nextCursor: z.string().optional().describe('Pass as cursor to get the next (older) page; absent on the last page'),
});

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'List chats',
  description: 'Chats (direct and groups), newest activity first, with their last message. Paginated: pass nextCursor back as cursor.',
  inputSchema: toolInput({
    limit: limitInput(20),
    include_last_message: z.boolean().default(true).describe('Include each chat\'s newest message (default true)'),
    cursor: cursorInput,
  }),
  outputSchema: ChatPageOutput,
  annotations: READ_ONLY_LOCAL,
};

export function registerListChatsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'list_chats',
    CONFIG,
    ({ limit, include_last_message, cursor }) =>
      run(deps, 'list_chats', () => {
        const page = deps.services.chats.list({ limit, includeLastMessage: include_last_message, cursor });
        return page.nextCursor ? { chats: page.items, nextCursor: page.nextCursor } : { chats: page.items };
      }),
  );
}
