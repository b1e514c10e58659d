import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { ChatShape, READ_ONLY_LOCAL, cursorInput, limitInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

export const ChatPageOutput = z.object({
  chats: z.array(ChatShape),
  nextCursor: z.string().optional().describe('Pass as cursor to get the next page; absent on the last page'),
});

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'List chats',
  description:
    'Chats (direct and groups) with unread counts and their newest message with content, newest activity first (sort "unread": most unread first). ' +
    'Filters: query (name or number), unread_only, is_group. Paginated: pass nextCursor back as cursor.',
  inputSchema: toolInput({
    limit: limitInput(20),
    include_last_message: z.boolean().default(true).describe('Include each chat\'s newest message (default true)'),
    cursor: cursorInput,
    query: z.string().trim().min(1).max(200).optional().describe('Only chats whose name or number contains this'),
    unread_only: z.boolean().default(false).describe('Only chats with unread messages'),
    is_group: z.boolean().optional().describe('true: only groups; false: only direct chats'),
    sort: z.enum(['recent', 'unread']).default('recent').describe('recent (default) or unread'),
  }),
  outputSchema: ChatPageOutput,
  annotations: READ_ONLY_LOCAL,
};

export function registerListChatsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'list_chats',
    CONFIG,
    (a) =>
      run(deps, 'list_chats', () => {
        const page = deps.services.chats.list({
          limit: a.limit,
          includeLastMessage: a.include_last_message,
          cursor: a.cursor,
          query: a.query,
          unreadOnly: a.unread_only,
          isGroup: a.is_group,
          sort: a.sort,
        });
        return page.nextCursor ? { chats: page.items, nextCursor: page.nextCursor } : { chats: page.items };
      }),
  );
}
