import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { ActionOutputFields, messageIdInput } from './shapes.js';

const CONFIG = {
  title: 'Delete a message',
  description:
    'Deletes a message for everyone ("This message was deleted"): your own messages, or anyone\'s in a group where you are admin, for about 2.5 days after sending. ' +
    'With for_everyone: false it is removed only from your account (your phone and linked devices). Cannot be undone.',
  inputSchema: toolInput({
    message_id: messageIdInput('The message to delete'),
    for_everyone: z.boolean().default(true).describe('true (default): for everyone; false: only on your account'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({ ...ActionOutputFields, messageId: z.string().describe('The deleted message'), forEveryone: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
};

export function registerDeleteMessageTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('delete_message', CONFIG, (a) =>
    run(deps, 'delete_message', async () => ({
      ...(await deps.services.actions.delete({ messageId: a.message_id, forEveryone: a.for_everyone, idempotencyKey: a.idempotency_key })),
    })),
  );
}
