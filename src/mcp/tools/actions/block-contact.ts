import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const CONFIG = {
  title: 'Block or unblock a contact',
  description: 'Blocks a person (on: true: they can no longer message or call you, or see your updates) or unblocks them (on: false).',
  inputSchema: toolInput({
    jid: jidInput('The person: JID, LID or phone number with country code'),
    on: z.boolean().describe('true blocks, false unblocks'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({ jid: z.string(), blocked: z.boolean(), deduplicated: z.boolean(), idempotencyKey: z.string().nullable() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

export function registerBlockContactTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('block_contact', CONFIG, (a) =>
    run(deps, 'block_contact', async () => ({ ...(await deps.services.actions.setBlocked({ jid: a.jid, on: a.on, idempotencyKey: a.idempotency_key })) })),
  );
}
