import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { ParticipantOutcomeShape, participantsInput } from './group-shapes.js';

const ACTIONS = ['add', 'remove', 'promote', 'demote'] as const;

const CONFIG = {
  title: 'Add, remove, promote or demote group members',
  description:
    'Changes group membership or admin rights (you must be a group admin). WhatsApp answers per person: the result lists each one with ok/status. ' +
    'remove takes people out of the group. Numbers that are not on WhatsApp are refused before anything changes.',
  inputSchema: toolInput({
    group_jid: jidInput('The group (…@g.us)'),
    action: z.enum(ACTIONS).describe('add, remove, promote (make admin) or demote (remove admin)'),
    participants: participantsInput,
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({
    groupId: z.string(),
    action: z.enum(ACTIONS),
    results: z.array(ParticipantOutcomeShape),
    deduplicated: z.boolean(),
    idempotencyKey: z.string().nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
};

export function registerUpdateGroupParticipantsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('update_group_participants', CONFIG, (a) =>
    run(deps, 'update_group_participants', async () => ({
      ...(await deps.services.groupAdmin.updateParticipants({ groupJid: a.group_jid, action: a.action, participants: a.participants, idempotencyKey: a.idempotency_key })),
    })),
  );
}
