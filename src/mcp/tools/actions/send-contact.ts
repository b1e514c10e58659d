import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { ActionOutputFields, WRITE } from './shapes.js';

const CONFIG = {
  title: 'Send a contact card',
  description:
    'Sends a contact card (vCard) that the recipient can save or message. Give contact_jid (a person; the card takes their saved name, or name overrides it), ' +
    'or name and phone for anyone else.',
  inputSchema: toolInput({
    recipient_jid: jidInput('Recipient: JID (…@s.whatsapp.net / …@g.us), LID or phone number with country code'),
    contact_jid: jidInput('The person to share: JID, LID or phone number').optional(),
    name: z.string().trim().min(1).max(256).regex(/^[^\r\n]*$/, 'one line').optional().describe('Name on the card (required with phone)'),
    phone: z.string().trim().min(7).max(32).optional().describe('Phone number with country code, e.g. +44 7911 123456 (with name, instead of contact_jid)'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({ ...ActionOutputFields, name: z.string().describe('Name on the card'), phone: z.string().describe('Number on the card (digits)') }),
  annotations: WRITE,
};

export function registerSendContactTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('send_contact', CONFIG, (a) =>
    run(deps, 'send_contact', async () => ({
      ...(await deps.services.actions.sendContact({
        recipient: a.recipient_jid,
        contact: a.contact_jid,
        name: a.name,
        phone: a.phone,
        idempotencyKey: a.idempotency_key,
      })),
    })),
  );
}
