import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const CONFIG = {
  title: 'Leave a group',
  description: 'Leaves a group: you stop receiving its messages, and only an admin or an invite link can bring you back.',
  inputSchema: toolInput({
    group_jid: jidInput('The group (…@g.us)'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({ groupId: z.string(), left: z.boolean(), deduplicated: z.boolean(), idempotencyKey: z.string().nullable() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
};

export function registerLeaveGroupTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('leave_group', CONFIG, (a) =>
    run(deps, 'leave_group', async () => ({ ...(await deps.services.groupAdmin.leave({ groupJid: a.group_jid, idempotencyKey: a.idempotency_key })) })),
  );
}
