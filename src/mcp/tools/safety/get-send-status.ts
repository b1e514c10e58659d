import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { notFound } from '../../../errors.js';
import { presentSend } from '../../../services/safety/present-send.js';
import { run } from '../result.js';
import { READ_ONLY_LOCAL, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { SendShape, gateOf, sendIdInput } from './send-shape.js';

const CONFIG = {
  title: 'Status of a deferred write',
  description: 'What became of a write that answered pending_approval or queued: approved and sent (with its result), rejected, expired, cancelled or failed.',
  inputSchema: toolInput({ send_id: sendIdInput }),
  outputSchema: SendShape,
  annotations: READ_ONLY_LOCAL,
};

export function registerGetSendStatusTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('get_send_status', CONFIG, (a) =>
    run(deps, 'get_send_status', () => {
      const e = gateOf(deps).get(a.send_id);
      if (!e) throw notFound(`No send with id ${a.send_id}`, 'Take send_id from the tool result or from list_outbox');
      return presentSend(e, deps.config.displayTimeZone);
    }),
  );
}
