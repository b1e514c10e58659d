import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { ActionOutputFields, WRITE, messageIdInput } from './shapes.js';

const CONFIG = {
  title: 'Forward a message',
  description:
    'Forwards a stored message (text, media, location or contact card) to a person or group; someone else\'s message shows as "Forwarded". ' +
    'Media is forwarded from the stored message without downloading it.',
  inputSchema: toolInput({
    message_id: messageIdInput('The message to forward'),
    recipient_jid: jidInput('Recipient: JID (…@s.whatsapp.net / …@g.us), LID or phone number with country code'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({ ...ActionOutputFields, messageId: z.string().describe('The new message in the recipient chat'), sourceId: z.string() }),
  annotations: WRITE,
};

export function registerForwardMessageTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('forward_message', CONFIG, (a) =>
    run(deps, 'forward_message', async () => ({
      ...(await deps.services.actions.forward({ messageId: a.message_id, recipient: a.recipient_jid, idempotencyKey: a.idempotency_key })),
    })),
  );
}
