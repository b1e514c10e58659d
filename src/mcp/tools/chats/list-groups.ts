import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { READ_ONLY_LOCAL, cursorInput, limitInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { ChatPageOutput } from './list-chats.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'List groups',
  description: 'All known group chats (also those without recent messages), newest activity first. Paginated: pass nextCursor back as cursor.',
  inputSchema: toolInput({
    limit: limitInput(20),
    include_last_message: z.boolean().default(true).describe('Include each group\'s newest message (default true)'),
    cursor: cursorInput,
  }),
  outputSchema: ChatPageOutput,
  annotations: READ_ONLY_LOCAL,
};

export function registerListGroupsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'list_groups',
    CONFIG,
    ({ limit, include_last_message, cursor }) =>
      run(deps, 'list_groups', () => {
        const page = deps.services.chats.listGroups({ limit, includeLastMessage: include_last_message, cursor });
        return page.nextCursor ? { chats: page.items, nextCursor: page.nextCursor } : { chats: page.items };
      }),
  );
}
