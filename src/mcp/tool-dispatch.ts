/**
 * The tools, once per process: every session's `tools/list` and `tools/call` are answered from one table
 * built from the tool files (through the toolset filter and the send-safety wrapper), instead of each
 * session's McpServer registering ~60 tools with their own records and closures (~95 KB a session).
 *
 * `callTool` does what the SDK's McpServer does for a call — unknown tool, input validation against the
 * tool's zod schema, output validation when MCP_VALIDATE_TOOL_OUTPUT=1, a thrown error as an `isError`
 * result — with the SDK's own messages. The session reaches the tool through `extra.session` (the send
 * gate asks that session's client for approval). The SDK's `maxToolInputElements` option is not used by
 * this server (unset means no limit there too); setting it on the McpServer would not reach this table.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { getParseErrorMessage } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  McpError,
  type CallToolRequest,
  type CallToolResult,
  type ListToolsResult,
  type ServerNotification,
  type ServerRequest,
  type Tool,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { registerAllTools, type ToolDeps } from './tools/index.js';

/** What a tool callback receives: the SDK's request extra plus the session it runs in. */
export type SessionExtra = RequestHandlerExtra<ServerRequest, ServerNotification> & { session: McpServer };

type ToolCallback = (...args: unknown[]) => CallToolResult | Promise<CallToolResult>;

interface ToolConfig {
  title?: string;
  description?: string;
  inputSchema?: z.ZodType;
  outputSchema?: z.ZodType;
  annotations?: ToolAnnotations;
}

interface ToolEntry {
  inputSchema?: z.ZodType;
  outputSchema?: z.ZodType;
  callback: ToolCallback;
}

export interface ToolTable {
  /** The `tools/list` answer (every tool; read_only hides the write tools per call, in safety.ts). */
  list: ListToolsResult;
  tools: ReadonlyMap<string, ToolEntry>;
}

/** One table per set of deps (one per MCP layer: the tool set cannot change while it lives). */
const tables = new WeakMap<ToolDeps, ToolTable>();

/**
 * The tool table. The SDK would also convert every tool's zod schemas to JSON Schema on every list of
 * every session; they never change, so they are converted once here exactly as the SDK does (zod's own
 * converter, draft-7, input/output mode). A test compares the two.
 */
export function toolTable(deps: ToolDeps): ToolTable {
  const cached = tables.get(deps);
  if (cached) return cached;
  const listed: Tool[] = [];
  const tools = new Map<string, ToolEntry>();
  const collector = {
    registerTool(name: string, c: ToolConfig, callback: ToolCallback) {
      // As the SDK's registerTool: a second tool of the same name is a programming error, not a replacement.
      if (tools.has(name)) throw new Error(`Tool ${name} is already registered`);
      const tool: Tool = {
        name,
        title: c.title,
        description: c.description,
        inputSchema: (c.inputSchema ? z.toJSONSchema(c.inputSchema, { target: 'draft-7', io: 'input' }) : { type: 'object', properties: {} }) as Tool['inputSchema'],
        annotations: c.annotations,
        execution: { taskSupport: 'forbidden' }, // what registerTool declares
      };
      if (c.outputSchema) tool.outputSchema = z.toJSONSchema(c.outputSchema, { target: 'draft-7', io: 'output' }) as Tool['outputSchema'];
      listed.push(tool);
      tools.set(name, { inputSchema: c.inputSchema, outputSchema: c.outputSchema, callback });
    },
  };
  registerAllTools(collector as unknown as McpServer, deps);
  const table = { list: { tools: listed }, tools };
  tables.set(deps, table);
  return table;
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** One `tools/call`, answered as the SDK's McpServer would answer it. */
export async function callTool(table: ToolTable, deps: ToolDeps, request: CallToolRequest, extra: SessionExtra): Promise<CallToolResult> {
  const { name } = request.params;
  try {
    const tool = table.tools.get(name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
    let result: CallToolResult;
    if (tool.inputSchema) {
      const parsed = await tool.inputSchema.safeParseAsync(request.params.arguments ?? {});
      if (!parsed.success) throw new McpError(ErrorCode.InvalidParams, `Input validation error: Invalid arguments for tool ${name}: ${getParseErrorMessage(parsed.error)}`);
      result = await tool.callback(parsed.data, extra);
    } else {
      result = await tool.callback(extra);
    }
    // Our results are built by our own code from typed rows, so re-checking them against the output schema
    // (a zod parse of the whole page per call) is off unless MCP_VALIDATE_TOOL_OUTPUT=1 (useful in tests).
    if (deps.config.mcp.validateToolOutput && tool.outputSchema && !request.params.task && !result.isError) {
      if (!result.structuredContent) {
        throw new McpError(ErrorCode.InvalidParams, `Output validation error: Tool ${name} has an output schema but no structured content was provided`);
      }
      const checked = await tool.outputSchema.safeParseAsync(result.structuredContent);
      if (!checked.success) {
        throw new McpError(ErrorCode.InvalidParams, `Output validation error: Invalid structured content for tool ${name}: ${getParseErrorMessage(checked.error)}`);
      }
    }
    return result;
  } catch (error) {
    if (error instanceof McpError && error.code === ErrorCode.UrlElicitationRequired) throw error;
    return toolError(error instanceof Error ? error.message : String(error));
  }
}
