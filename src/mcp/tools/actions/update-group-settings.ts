import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const CONFIG = {
  title: 'Change group name, description or settings',
  description: 'Changes the subject, description ("" removes it), who may send (announce) and who may edit the group info (locked). You must be a group admin.',
  inputSchema: toolInput({
    group_jid: jidInput('The group (…@g.us)'),
    subject: z.string().trim().min(1).max(100).optional().describe('New group name'),
    description: z.string().max(2048).optional().describe('New description; "" removes it'),
    announce: z.boolean().optional().describe('true: only admins can send messages'),
    locked: z.boolean().optional().describe('true: only admins can edit the group info'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({
    groupId: z.string(),
    changed: z.array(z.string()),
    deduplicated: z.boolean(),
    idempotencyKey: z.string().nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

export function registerUpdateGroupSettingsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('update_group_settings', CONFIG, (a) =>
    run(deps, 'update_group_settings', async () => ({
      ...(await deps.services.groupAdmin.updateSettings({
        groupJid: a.group_jid,
        subject: a.subject,
        description: a.description,
        announce: a.announce,
        locked: a.locked,
        idempotencyKey: a.idempotency_key,
      })),
    })),
  );
}
