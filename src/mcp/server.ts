/** The MCP server factory: one `McpServer` per session (HTTP) or per process (stdio), sharing services. */
import { McpServer, type RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type ListToolsResult, type Tool, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { McpHub } from './hub.js';
import { registerPrompts } from './prompts/index.js';
import { registerResources } from './resources/index.js';
import { registerAllTools, type ToolDeps } from './tools/index.js';
import { safetyResources, visibleTools } from './safety.js';

export const SERVER_INFO = { name: 'whatsapp-mcp-server', title: 'WhatsApp', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'Read and send WhatsApp messages for one linked account. Start with check_auth_status; if it is not linked, call get_qr_code. ' +
  '"What did I miss": catch_up. History: list_messages (chat by name, phone or JID; filters from/after/before/query/only_incoming) and search_messages. ' +
  'People: resolve_contact to pick one, search_contacts to browse. Rows show names, an ISO time with offset beside epoch-ms timestamp, and the message key id, ' +
  'which message_id / quoted_message_id accept (also as <chatJid>:<keyId>). Sends take a JID or phone number; use idempotency_key so retries never send twice. ' +
  'In text results a list of rows is a table: {"columns": [...], "rows": [[...]]}.';

interface ToolConfig {
  title?: string;
  description?: string;
  inputSchema?: z.ZodType;
  outputSchema?: z.ZodType;
  annotations?: ToolAnnotations;
}

/** One cached list per set of deps (one per MCP layer: the tool set cannot change while it lives). */
const toolLists = new WeakMap<ToolDeps, ListToolsResult>();

/**
 * The `tools/list` answer, built once per process. The SDK would convert every tool's zod schemas to JSON
 * Schema on every call of every session; the definitions never change, so they are converted once here
 * exactly as the SDK does (zod's own converter, draft-7, input/output mode). A test compares the two.
 */
export function cachedToolList(deps: ToolDeps): ListToolsResult {
  const cached = toolLists.get(deps);
  if (cached) return cached;
  const tools: Tool[] = [];
  const collector = {
    registerTool(name: string, c: ToolConfig) {
      const tool: Tool = {
        name,
        title: c.title,
        description: c.description,
        inputSchema: (c.inputSchema ? z.toJSONSchema(c.inputSchema, { target: 'draft-7', io: 'input' }) : { type: 'object', properties: {} }) as Tool['inputSchema'],
        annotations: c.annotations,
        execution: { taskSupport: 'forbidden' }, // what registerTool declares
      };
      if (c.outputSchema) tool.outputSchema = z.toJSONSchema(c.outputSchema, { target: 'draft-7', io: 'output' }) as Tool['outputSchema'];
      tools.push(tool);
    },
  };
  registerAllTools(collector as unknown as McpServer, deps);
  const list = { tools };
  toolLists.set(deps, list);
  return list;
}

export interface SessionServer {
  server: McpServer;
  /** Detach from the hub; call when the session ends. */
  dispose(): void;
  setSessionId(id: string): void;
}

/**
 * Registers every tool on `server` and returns the SDK's records of them. The records are what the SDK's
 * tools/call handler reads, so they are the supported place to change per-tool behaviour.
 */
function registerTracked(server: McpServer, deps: ToolDeps): RegisteredTool[] {
  const registered: RegisteredTool[] = [];
  const original = server.registerTool;
  const tracking = function (this: McpServer, ...args: unknown[]): RegisteredTool {
    const tool = (original as (...a: unknown[]) => RegisteredTool).apply(this, args);
    registered.push(tool);
    return tool;
  };
  server.registerTool = tracking as typeof server.registerTool;
  try {
    registerAllTools(server, deps);
  } finally {
    // Back to the prototype's method.
    delete (server as { registerTool?: unknown }).registerTool;
  }
  return registered;
}

export function createMcpServer(deps: ToolDeps, hub: McpHub): SessionServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: false }, logging: {} },
    instructions: INSTRUCTIONS,
  });
  const registered = registerTracked(server, deps);
  // The SDK re-validates every successful result against the tool's output schema (a zod parse of the
  // whole page per call, ~4 % of server CPU in the list_chats bench). Our results are built by our own
  // code from typed store rows, so the check is off unless MCP_VALIDATE_TOOL_OUTPUT=1 (useful in tests).
  // Clients still get every outputSchema from tools/list (the cached list below), and the SDK validates
  // an isError-free result only when a tool has a schema here, so dropping it from the record is the
  // supported way to skip it.
  if (!deps.config.mcp.validateToolOutput) for (const tool of registered) tool.outputSchema = undefined;
  const tools = cachedToolList(deps);
  // send_mode read_only hides the write tools; a mode change tells every session to list them again.
  server.server.setRequestHandler(ListToolsRequestSchema, () => visibleTools(tools, deps));
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
