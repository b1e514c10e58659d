import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { ParticipantOutcomeShape, participantsInput } from './group-shapes.js';
import { WRITE } from './shapes.js';

const CONFIG = {
  title: 'Create a group',
  description: 'Creates a WhatsApp group with you as admin and the given people as members. Numbers that are not on WhatsApp are refused before anything is created.',
  inputSchema: toolInput({
    subject: z.string().trim().min(1).max(100).describe('Group name (up to 100 characters)'),
    participants: participantsInput,
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({
    groupId: z.string(),
    subject: z.string(),
    participants: z.array(z.object({ jid: z.string(), admin: z.enum(['admin', 'superadmin']).nullable() })),
    refused: z.array(ParticipantOutcomeShape).describe('People WhatsApp did not add'),
    deduplicated: z.boolean(),
    idempotencyKey: z.string().nullable(),
  }),
  annotations: WRITE,
};

export function registerCreateGroupTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('create_group', CONFIG, (a) =>
    run(deps, 'create_group', async () => ({
      ...(await deps.services.groupAdmin.create({ subject: a.subject, participants: a.participants, idempotencyKey: a.idempotency_key })),
    })),
  );
}
