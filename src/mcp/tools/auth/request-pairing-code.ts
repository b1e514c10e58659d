/**
 * `request_pairing_code {phone}` (issue #14): link by an 8-character code typed on the phone instead of
 * scanning a QR. The request is a lifecycle command (src/runtime/pairing.ts): only an unpaired connection
 * takes it, and the code is returned once WhatsApp confirmed it.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { PhoneNumberInput, requestPairingCode } from '../../../runtime/pairing.js';
import { run } from '../result.js';
import { toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const Output = z.object({
  code: z.string().describe('The 8 characters to type on the phone'),
  display: z.string().describe('The code as WhatsApp shows it, e.g. ABCD-EFGH'),
  phone: z.string().describe('The number the code is for (digits, international format)'),
  state: z.string().describe('Lifecycle state (awaiting-qr until the phone enters the code)'),
  message: z.string().describe('What to do on the phone'),
});

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Request a pairing code (link by phone number)',
  description:
    'Links this server to a WhatsApp account without a QR scan: returns an 8-character code to type on the phone with that number ' +
    '(WhatsApp → Linked devices → Link a device → Link with phone number instead). Only while the server waits to be linked ' +
    '(check_auth_status: awaiting-qr); each call replaces the previous code; the code expires with the waiting connection (minutes).',
  inputSchema: toolInput({ phone: PhoneNumberInput }),
  outputSchema: Output,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

export function registerRequestPairingCodeTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('request_pairing_code', CONFIG, ({ phone }) =>
    run(deps, 'request_pairing_code', async () => ({ ...(await requestPairingCode(deps.runtime, phone)) })),
  );
}
