import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const CONFIG = {
  title: 'Get (or reset) a group invite link',
  description: 'Returns the group\'s invite link (you must be a group admin). With revoke: true a new link is made and the old one stops working.',
  inputSchema: toolInput({
    group_jid: jidInput('The group (…@g.us)'),
    revoke: z.boolean().default(false).describe('Reset the link: the old one stops working (default false)'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({
    groupId: z.string(),
    code: z.string(),
    link: z.string(),
    revoked: z.boolean(),
    deduplicated: z.boolean(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
};

export function registerGetGroupInviteLinkTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('get_group_invite_link', CONFIG, (a) =>
    run(deps, 'get_group_invite_link', async () => ({
      ...(await deps.services.groupAdmin.inviteLink({ groupJid: a.group_jid, revoke: a.revoke, idempotencyKey: a.idempotency_key })),
    })),
  );
}
