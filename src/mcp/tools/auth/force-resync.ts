import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const Output = z.object({
  accepted: z.boolean(),
  state: z.string().describe('State right after the command (soft-resync while it runs)'),
  reason: z.string().nullable(),
});

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Force an app-state resync',
  description:
    'Asks the connection supervisor to resynchronise WhatsApp app state (contacts, chat metadata) now, bypassing the cooldown. Needs an open connection.',
  inputSchema: toolInput({}),
  outputSchema: Output,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

export function registerForceResyncTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'force_resync',
    CONFIG,
    () =>
      run(deps, 'force_resync', () => {
        const o = deps.services.connection.forceResync();
        return { accepted: o.accepted, state: o.state, reason: o.reason };
      }),
  );
}
