import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { ActionOutputFields, WRITE, messageIdInput } from './shapes.js';

const CONFIG = {
  title: 'React to a message',
  description:
    'Puts your emoji reaction on a message (yours or someone else\'s, in any chat); "" removes your reaction. ' +
    'One reaction per message: a new emoji replaces the previous one.',
  inputSchema: toolInput({
    message_id: messageIdInput('The message to react to'),
    emoji: z.string().max(32).describe('One emoji, e.g. 👍; "" removes your reaction'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({ ...ActionOutputFields, messageId: z.string().describe('The message reacted to'), emoji: z.string() }),
  annotations: { ...WRITE, idempotentHint: true },
};

export function registerReactToMessageTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('react_to_message', CONFIG, (a) =>
    run(deps, 'react_to_message', async () => ({
      ...(await deps.services.actions.react({ messageId: a.message_id, emoji: a.emoji, idempotencyKey: a.idempotency_key })),
    })),
  );
}
