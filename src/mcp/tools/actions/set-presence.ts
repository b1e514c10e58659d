import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const STATES = ['typing', 'recording', 'paused', 'available', 'unavailable'] as const;

const CONFIG = {
  title: 'Set presence or typing indicator',
  description:
    'Shows "typing…" / "recording audio…" in one chat (paused clears it; needs chat_id), or sets the account online (available) or offline (unavailable) for everyone.',
  inputSchema: toolInput({
    state: z.enum(STATES).describe('typing, recording, paused (per chat) or available, unavailable (account-wide)'),
    chat_id: jidInput('The chat for typing / recording / paused: JID, LID or phone number').optional(),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object({
    state: z.enum(STATES),
    chatId: z.string().nullable(),
    deduplicated: z.boolean(),
    idempotencyKey: z.string().nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

export function registerSetPresenceTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('set_presence', CONFIG, (a) =>
    run(deps, 'set_presence', async () => ({
      ...(await deps.services.actions.setPresence({ state: a.state, chatId: a.chat_id, idempotencyKey: a.idempotency_key })),
    })),
  );
}
