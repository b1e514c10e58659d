import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { WRITE } from './shapes.js';

const CONFIG = {
  title: 'Join a group by invite link',
  description: 'Joins a group with an invite link (https://chat.whatsapp.com/…) or its code; returns the group id.',
  inputSchema: toolInput({
    invite_link: z.string().trim().min(10).max(200).describe('https://chat.whatsapp.com/<code>, or the code'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({ groupId: z.string(), deduplicated: z.boolean(), idempotencyKey: z.string().nullable() }),
  annotations: { ...WRITE, idempotentHint: true },
};

export function registerJoinGroupTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('join_group', CONFIG, (a) =>
    run(deps, 'join_group', async () => ({ ...(await deps.services.groupAdmin.join({ inviteLink: a.invite_link, idempotencyKey: a.idempotency_key })) })),
  );
}
