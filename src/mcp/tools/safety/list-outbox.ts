import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { OPEN_STATUSES, OUTBOX_STATUSES } from '../../../store/repos/outbox.js';
import { presentSend } from '../../../services/safety/present-send.js';
import { run } from '../result.js';
import { READ_ONLY_LOCAL, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { SendShape, gateOf } from './send-shape.js';

const CONFIG = {
  title: 'List the outbox',
  description: 'Writes that did not go out in the call that asked for them, newest first: by default those still waiting (pending approval, queued, sending).',
  inputSchema: toolInput({
    status: z.array(z.enum(OUTBOX_STATUSES)).min(1).max(OUTBOX_STATUSES.length).optional().describe('Default: pending_approval, queued, sending'),
    limit: z.number().int().min(1).max(200).default(50),
  }),
  outputSchema: z.object({ sends: z.array(SendShape), counts: z.record(z.string(), z.number()).describe('All rows by status') }),
  annotations: READ_ONLY_LOCAL,
};

export function registerListOutboxTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('list_outbox', CONFIG, (a) =>
    run(deps, 'list_outbox', () => {
      const gate = gateOf(deps);
      const sends = gate.list(a.status ?? OPEN_STATUSES, a.limit).map((e) => presentSend(e, deps.config.displayTimeZone));
      return { sends, counts: gate.counts() };
    }),
  );
}
