import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { presentSend } from '../../../services/safety/present-send.js';
import { run } from '../result.js';
import { toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { SendShape, gateOf, sendIdInput } from './send-shape.js';

const CONFIG = {
  title: 'Cancel a deferred write',
  description: 'Cancels a write that is still pending approval or queued; one already sending or sent cannot be cancelled (the error says its state).',
  inputSchema: toolInput({ send_id: sendIdInput }),
  outputSchema: SendShape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
};

export function registerCancelSendTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('cancel_send', CONFIG, (a, extra) =>
    run(deps, 'cancel_send', () => presentSend(gateOf(deps).cancel(a.send_id, `agent${extra.sessionId ? ` (session ${extra.sessionId.slice(0, 8)})` : ''}`), deps.config.displayTimeZone)),
  );
}
