/** The MCP server factory: one `McpServer` per session (HTTP) or per process (stdio), sharing services. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { McpHub } from './hub.js';
import { registerPrompts } from './prompts/index.js';
import { registerResources } from './resources/index.js';
import type { ToolDeps } from './tools/index.js';
import { safetyResources, visibleTools } from './safety.js';
import { callTool, toolTable } from './tool-dispatch.js';

export const SERVER_INFO = { name: 'whatsapp-mcp-server', title: 'WhatsApp', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'Read and send WhatsApp messages for one linked account. Start with check_auth_status; if it is not linked, call get_qr_code. ' +
  '"What did I miss": catch_up. History: list_messages (chat by name, phone or JID; filters from/after/before/query/only_incoming) and search_messages. ' +
  'People: resolve_contact to pick one, search_contacts to browse. Rows show names, an ISO time with offset beside epoch-ms timestamp, and the message key id, ' +
  'which message_id / quoted_message_id accept (also as <chatJid>:<keyId>). Sends take a JID or phone number; use idempotency_key so retries never send twice. ' +
  'In text results a list of rows is a table: {"columns": [...], "rows": [[...]]}.';

export interface SessionServer {
  server: McpServer;
  /** Detach from the hub; call when the session ends. */
  dispose(): void;
  setSessionId(id: string): void;
}

export function createMcpServer(deps: ToolDeps, hub: McpHub): SessionServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: false }, logging: {} },
    instructions: INSTRUCTIONS,
  });
  // Tools come from the process-wide table (tool-dispatch.ts): no per-session tool records.
  const tools = toolTable(deps);
  server.server.setRequestHandler(CallToolRequestSchema, (request, extra) => callTool(tools, deps, request, { ...extra, session: server }));
  // send_mode read_only hides the write tools; a mode change tells every session to list them again.
  server.server.setRequestHandler(ListToolsRequestSchema, () => visibleTools(tools.list, deps));
  const unwatch = deps.safety?.onModeChange(() => void server.sendToolListChanged()) ?? (() => undefined);
  registerResources(safetyResources(server, deps), deps);
  registerPrompts(server, deps);
  const link = hub.attach(server);
  return {
    server,
    dispose: () => {
      unwatch();
      hub.detach(link);
    },
    setSessionId: (id) => {
      link.sessionId = id;
    },
  };
}
