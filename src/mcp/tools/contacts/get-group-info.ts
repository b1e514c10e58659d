import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { READ_ONLY_LIVE, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const Output = z.object({
  id: z.string(),
  subject: z.string().nullable(),
  description: z.string().nullable(),
  owner: z.string().nullable(),
  createdAt: z.number().nullable(),
  announce: z.boolean(),
  restrict: z.boolean(),
  participants: z.array(
    z.object({
      id: z.string(),
      role: z.enum(['member', 'admin', 'superadmin']),
      name: z.string().nullable(),
      isMe: z.boolean(),
      isMyContact: z.boolean(),
      isAdmin: z.boolean(),
    }),
  ),
  updatedAt: z.number(),
  source: z.enum(['live', 'cached']).describe('cached = stored copy, used when live metadata was unavailable'),
  staleReason: z.string().optional(),
});

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Get group info',
  description:
    'Group metadata and participants with names, isMe, isMyContact, isAdmin. Live from WhatsApp when connected (and cached); otherwise the stored copy, marked source:"cached".',
  inputSchema: toolInput({ group_jid: jidInput('Group JID ending in @g.us, or the group name') }),
  outputSchema: Output,
  annotations: READ_ONLY_LIVE,
};

export function registerGetGroupInfoTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_group_info',
    CONFIG,
    ({ group_jid }) => run(deps, 'get_group_info', async () => ({ ...(await deps.services.contacts.groupInfo(group_jid)) })),
  );
}
