import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const Output = z.object({
  messageId: z.string(),
  chatId: z.string(),
  timestamp: z.number(),
  deduplicated: z.boolean().describe('True when this returned an earlier identical send (same idempotency key, or same text to the same chat within the duplicate window) and nothing new was sent'),
  idempotencyKey: z.string().nullable(),
});

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Send a text message',
  description:
    'Sends a WhatsApp text message to a person or group. Needs an open connection (otherwise a retryable error says when to retry). ' +
    'Pass idempotency_key to make retries safe (same key: sent once; a new key sends even identical text). Without a key, identical text to the same chat within the duplicate window is sent once.',
  inputSchema: toolInput({
    recipient_jid: jidInput('Recipient: JID (…@s.whatsapp.net / …@g.us), LID or phone number with country code'),
    message: z.string().min(1).max(65_536).describe('Text to send'),
    idempotency_key: idempotencyKeyInput,
    quoted_message_id: z.string().trim().min(1).max(300).optional().describe('Reply quoting this message of the same chat (its id from list_messages, or <chatJid>:<keyId>)'),
  }),
  outputSchema: Output,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

export function registerSendMessageTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'send_message',
    CONFIG,
    (a) =>
      run(deps, 'send_message', async () => ({
        ...(await deps.services.sending.sendText({
          recipient: a.recipient_jid,
          text: a.message,
          idempotencyKey: a.idempotency_key,
          quotedMessageId: a.quoted_message_id,
        })),
      })),
  );
}
