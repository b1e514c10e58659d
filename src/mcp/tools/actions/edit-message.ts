import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { ActionOutputFields, WRITE, messageIdInput } from './shapes.js';

const CONFIG = {
  title: 'Edit a sent message',
  description:
    'Replaces the text of one of your own text messages; recipients see it marked "edited". ' +
    'WhatsApp allows this only within 15 minutes of sending: later, or for someone else\'s message, it fails with an error saying so.',
  inputSchema: toolInput({
    message_id: messageIdInput('Your text message to edit'),
    text: z.string().min(1).max(65_536).describe('The new text'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({ ...ActionOutputFields, messageId: z.string().describe('The edited message'), editedAt: z.number().describe('Epoch milliseconds') }),
  annotations: WRITE,
};

export function registerEditMessageTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('edit_message', CONFIG, (a) =>
    run(deps, 'edit_message', async () => ({
      ...(await deps.services.actions.edit({ messageId: a.message_id, text: a.text, idempotencyKey: a.idempotency_key })),
    })),
  );
}
