import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { MessageShape, READ_ONLY_LOCAL } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

export const messageIdInput = z.string().trim().min(5).max(300).describe('Message id <chatJid>:<keyId> (from list_messages or search_messages)');

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Get a message by id',
  description: 'One stored message by its id (<chatJid>:<keyId>). Errors when unknown.',
  inputSchema: z.object({ message_id: messageIdInput }),
  outputSchema: z.object({ message: MessageShape }),
  annotations: READ_ONLY_LOCAL,
};

export function registerGetMessageByIdTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_message_by_id',
    CONFIG,
    ({ message_id }) => run(deps, 'get_message_by_id', () => ({ message: deps.services.messages.get(message_id) })),
  );
}
