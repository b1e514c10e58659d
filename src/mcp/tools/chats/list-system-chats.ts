import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { ChatShape, READ_ONLY_LOCAL, limitInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'List system chats',
  description: 'Chats whose last message is a protocol or system message (e.g. key changes, group notices), newest first.',
  inputSchema: toolInput({ limit: limitInput(20) }),
  outputSchema: z.object({ chats: z.array(ChatShape) }),
  annotations: READ_ONLY_LOCAL,
};

export function registerListSystemChatsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'list_system_chats',
    CONFIG,
    ({ limit }) => run(deps, 'list_system_chats', () => ({ chats: deps.services.chats.listSystem(limit).items })),
  );
}
