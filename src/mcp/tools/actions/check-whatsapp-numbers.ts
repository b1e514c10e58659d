import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { READ_ONLY_LIVE, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const CONFIG = {
  title: 'Check which numbers are on WhatsApp',
  description: 'Asks WhatsApp which of 1–50 phone numbers (with country code) have an account, and their JIDs. Needs an open connection.',
  inputSchema: toolInput({
    phones: z.array(z.string().trim().min(7).max(32)).min(1).max(50).describe('Phone numbers with country code, e.g. +44 7911 123456'),
  }),
  outputSchema: z.object({
    results: z.array(
      z.object({
        input: z.string(),
        phone: z.string().describe('Digits with country code'),
        exists: z.boolean(),
        jid: z.string().nullable().describe('The WhatsApp JID when exists'),
      }),
    ),
  }),
  annotations: READ_ONLY_LIVE,
};

export function registerCheckWhatsappNumbersTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('check_whatsapp_numbers', CONFIG, (a) => run(deps, 'check_whatsapp_numbers', () => deps.services.actions.checkNumbers(a.phones)));
}
