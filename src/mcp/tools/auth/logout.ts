import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const Output = z.object({
  accepted: z.boolean(),
  state: z.string().describe('State after the logout (normally awaiting-qr or connecting)'),
  reason: z.string().nullable(),
  deduplicated: z.boolean().describe('True when this idempotency key already logged out; nothing was done again'),
});

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Log out (unlink this device)',
  description:
    'Unlinks this server from the WhatsApp account and wipes only its auth state (stored chats and messages stay). ' +
    'Afterwards a new QR code must be scanned (get_qr_code).',
  inputSchema: toolInput({ idempotency_key: idempotencyKeyInput }),
  outputSchema: Output,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
};

export function registerLogoutTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'logout',
    CONFIG,
    ({ idempotency_key }) =>
      run(deps, 'logout', async () => {
        const r = await deps.services.idempotency.once('logout', idempotency_key, {}, async () => {
          const o = await deps.services.connection.logout();
          return { accepted: o.accepted, state: o.state, reason: o.reason };
        });
        return { accepted: r.accepted, state: r.state, reason: r.reason, deduplicated: r.deduplicated };
      }),
  );
}
