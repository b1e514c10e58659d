import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ok } from '../result.js';
import { READ_ONLY_LOCAL, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const Output = z.object({ pong: z.literal(true), message: z.literal('pong'), time: z.number() });

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Ping',
  description: 'Checks that the MCP server answers. Returns "pong" and the server time (epoch ms).',
  inputSchema: toolInput({}),
  outputSchema: Output,
  annotations: READ_ONLY_LOCAL,
};

export function registerPingTool(server: McpServer, _deps: ToolDeps): void {
  server.registerTool(
    'ping',
    CONFIG,
    () => ok({ pong: true, message: 'pong', time: Date.now() }),
  );
}
