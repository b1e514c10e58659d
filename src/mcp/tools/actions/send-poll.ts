import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { ActionOutputFields, WRITE } from './shapes.js';

const CONFIG = {
  title: 'Send a poll',
  description: 'Sends a poll with 2–12 distinct options to a person or group; single choice unless multiple is true.',
  inputSchema: toolInput({
    recipient_jid: jidInput('Recipient: JID (…@s.whatsapp.net / …@g.us), LID or phone number with country code'),
    question: z.string().trim().min(1).max(255).describe('The question'),
    options: z.array(z.string().trim().min(1).max(100)).min(2).max(12).describe('2–12 distinct answers'),
    multiple: z.boolean().default(false).describe('Allow voting for several options (default false)'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object(ActionOutputFields),
  annotations: WRITE,
};

export function registerSendPollTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('send_poll', CONFIG, (a) =>
    run(deps, 'send_poll', async () => ({
      ...(await deps.services.actions.sendPoll({
        recipient: a.recipient_jid,
        question: a.question,
        options: a.options,
        multiple: a.multiple,
        idempotencyKey: a.idempotency_key,
      })),
    })),
  );
}
