/**
 * Send safety at the MCP edge (issue #15). Tool files know nothing of it: `registerAllTools` hands them a
 * server whose `registerTool` wraps
 * - every write tool (services/safety/write-tools.ts) with the gate: policy, approval by elicitation or a
 *   pending send, pacing, the outbox, the audit log. A write that does not go out in the call answers
 *   `{status: "pending_approval" | "queued", sendId, …}`, so its output schema gains those fields and its
 *   own fields become optional;
 * - every other tool, while read rules are set, with a filter that removes hidden chats from the result
 *   (rows whose chat/JID field names a hidden chat) and answers "not found" for a hidden chat itself.
 * The unwrapped callbacks are also collected once as the gate's executor, which runs deferred writes.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type CallToolResult, type ListToolsResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AppError, notFound, type ErrorCode as AppErrorCode } from '../errors.js';
import type { ApprovalAsk, Caller, Consent, ExecResult, SendGate } from '../services/safety/gate.js';
import { writeToolOf } from '../services/safety/write-tools.js';
import { splitMessageId, type OutboxEntry } from '../store/index.js';
import { presentSend } from '../services/safety/present-send.js';
import { fail, ok } from './tools/result.js';
import { toolInput } from './tools/schemas.js';
import type { ToolDeps } from './tools/tool-deps.js';

type ToolCallback = (args: Record<string, unknown>, extra: Extra) => CallToolResult | Promise<CallToolResult>;
/** The call's extra; `session` is the session the call runs in (tool-dispatch.ts), absent for the executor. */
type Extra = { sessionId?: string; signal?: AbortSignal; sendNotification?: unknown; _meta?: unknown; session?: McpServer };
interface ToolConfig {
  inputSchema?: z.ZodType;
  outputSchema?: z.ZodType;
  description?: string;
  [k: string]: unknown;
}

/** Arguments the gate adds to message tools. */
const GATE_ARGS = {
  wait: z.boolean().optional().describe('Default true: over the pacing limits the message is queued; false: refuse with retryAfterMs instead'),
  queue_if_offline: z.boolean().optional().describe('true: when not connected, queue it (delivered in order once connected) instead of failing'),
};

/** What a write that did not go out in the call returns (its own fields are then absent). */
const DEFERRED = {
  status: z.enum(['pending_approval', 'queued']).optional().describe('Only when it did not go out in this call: pending_approval (a human must approve it) or queued (goes out at scheduledAt)'),
  sendId: z.string().optional().describe('Pass to get_send_status / cancel_send'),
  recipient: z.string().nullable().optional(),
  summary: z.string().optional(),
  reason: z.string().nullable().optional(),
  scheduledAt: z.string().optional().describe('queued: expected delivery time (ISO)'),
  expiresAt: z.string().optional().describe('pending_approval: when it lapses unapproved (ISO)'),
  next: z.string().optional(),
};

const SAFETY_NOTE = ' Goes through the owner\'s send policy: it may need approval (status pending_approval) or be queued by pacing (status queued).';

function deferredResult(e: OutboxEntry, recipient: string | null, tz?: string): Record<string, unknown> {
  const next =
    e.status === 'pending_approval'
      ? 'Waiting for the owner to approve it in the admin UI; check the outcome with get_send_status (do not send it again)'
      : 'It will be delivered at scheduledAt (or once connected); check with get_send_status, cancel with cancel_send';
  // The outbox row's own presentation, cut to what the write tools' output schema declares.
  const shown = presentSend(e, tz, recipient);
  const out: Record<string, unknown> = { recipient };
  for (const k of ['status', 'sendId', 'summary', 'reason', 'scheduledAt', 'expiresAt'] as const) if (shown[k] !== undefined) out[k] = shown[k];
  return { ...out, next };
}

function execResult(r: CallToolResult): ExecResult {
  if (!r.isError) return { ok: true, data: (r.structuredContent ?? {}) as Record<string, unknown> };
  const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join(' ');
  const meta = (r._meta ?? {}) as { code?: AppErrorCode; retryable?: boolean; retryAfterMs?: number };
  return { ok: false, error: new AppError(meta.code ?? 'upstream_failed', text, '', { retryable: meta.retryable, retryAfterMs: meta.retryAfterMs }) };
}

/**
 * Asks the client's user through elicitation/create (a one-screen summary and a yes/no). `signal` is the
 * tool call's: a client that gives up on the call (its request timeout, a cancel) also withdraws the
 * question, so a late "yes" cannot send a message the agent already saw fail and may send again.
 */
function elicitor(server: McpServer, signal?: AbortSignal): Caller['elicit'] {
  if (!server.server.getClientCapabilities()?.elicitation) return undefined;
  return async (ask: ApprovalAsk): Promise<Consent> => {
    const message = [
      `WhatsApp ${ask.tool.replaceAll('_', ' ')} to ${ask.recipient ?? 'WhatsApp'}`,
      ask.summary,
      `Approval needed because: ${ask.reason}.`,
    ].join('\n');
    try {
      const r = await server.server.elicitInput(
        { message, requestedSchema: { type: 'object', properties: { send: { type: 'boolean', title: 'Send it', description: 'Yes to send, no to drop it' } }, required: ['send'] } },
        { timeout: 10 * 60_000, ...(signal ? { signal } : {}) },
      );
      if (signal?.aborted) return 'cancel';
      if (r.action === 'accept') return r.content?.send === true ? 'accept' : 'decline';
      return r.action;
    } catch {
      return 'cancel'; // no answer (timeout, client gone): nothing is sent
    }
  };
}

const CHAT_KEYS = ['chatId', 'chatJid', 'jid', 'groupJid'] as const;
/** Tools about the connection, not chats: the read rules have nothing to filter there. */
const CHAT_FREE = new Set(['ping', 'check_auth_status', 'get_qr_code', 'request_pairing_code', 'force_resync', 'check_whatsapp_numbers']);
/** `id` names a chat in chat rows (a bare JID); in message rows it is `<chat>:<key>` and they carry chatId when mixed. */
const isBareJid = (v: string) => v.includes('@') && !v.includes(':');

/** Removes hidden chats: array rows naming one are dropped; nested objects are walked. */
function redact(value: unknown, visible: (jid: string) => boolean): unknown {
  if (Array.isArray(value)) return value.filter((v) => !hiddenRow(v, visible)).map((v) => redact(v, visible));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redact(v, visible);
  return out;
}

function hiddenRow(v: unknown, visible: (jid: string) => boolean): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  if (typeof o.id === 'string' && isBareJid(o.id) && !visible(o.id)) return true;
  const message = typeof o.messageId === 'string' ? splitMessageId(o.messageId) : null;
  if (message && !visible(message.chatJid)) return true;
  return CHAT_KEYS.some((k) => typeof o[k] === 'string' && (o[k] as string).includes('@') && !visible(o[k] as string));
}

/**
 * `data` as the read rules let a client see it (tool results, prompts): rows about hidden chats removed; a
 * result that is itself a hidden chat, or about one ({chat: …}), does not exist.
 */
export function readable<T extends object>(data: T, gate: SendGate | undefined): T {
  if (!gate?.readFiltered()) return data;
  const visible = (jid: string) => gate.canRead(jid);
  if (hiddenRow(data, visible) || Object.values(data).some((v) => hiddenRow(v, visible))) throw notFound('No such chat', 'List the chats you can see with list_chats');
  return redact(data, visible) as T;
}

function filterRead(result: CallToolResult, gate: SendGate): CallToolResult {
  if (result.isError || !result.structuredContent) return result;
  return ok(readable(result.structuredContent, gate), result.content.slice(1));
}

/** Tool configs are module-level objects, registered once per tool table (and again for the gate's executor); so are their gated forms. */
const gatedConfigs = new WeakMap<ToolConfig, ToolConfig>();

function gatedConfig(config: ToolConfig, spec: NonNullable<ReturnType<typeof writeToolOf>>): ToolConfig {
  const cached = gatedConfigs.get(config);
  if (cached) return cached;
  const deferrable = spec.needsConsent || spec.message;
  if (!deferrable) return config;
  const input = config.inputSchema as z.ZodObject | undefined;
  const output = config.outputSchema as z.ZodObject | undefined;
  const gated: ToolConfig = {
    ...config,
    ...(spec.message && input ? { inputSchema: toolInput({ ...input.shape, ...GATE_ARGS }) } : {}),
    ...(output ? { outputSchema: output.partial().extend(DEFERRED) } : {}),
    description: `${config.description ?? ''}${SAFETY_NOTE}`,
  };
  gatedConfigs.set(config, gated);
  return gated;
}

/** Wraps registerTool as described at the top of the file. */
export function safetyServer(server: McpServer, deps: ToolDeps): McpServer {
  const gate = deps.safety;
  if (!gate) return server;
  const tz = deps.config.displayTimeZone;
  const registerTool = (name: string, config: ToolConfig, cb: ToolCallback): unknown => {
    const spec = writeToolOf(name);
    const register = (c: ToolConfig, f: ToolCallback) => (server.registerTool as (...a: unknown[]) => unknown).call(server, name, c, f);
    if (!spec && CHAT_FREE.has(name)) return register(config, cb);
    if (!spec) {
      return register(config, async (args, extra) => {
        const result = await cb(args, extra);
        if (!gate.readFiltered()) return result;
        try {
          return filterRead(result, gate);
        } catch (err) {
          return fail(deps, name, err);
        }
      });
    }
    const gated = gatedConfig(config, spec);
    return register(gated, async (args, extra) => {
      const { wait, queue_if_offline, ...rest } = args;
      let raw: CallToolResult | null = null;
      const direct = async (_tool: string, a: Record<string, unknown>) => {
        raw = await cb(a, extra);
        return execResult(raw);
      };
      const session = extra.session;
      const caller: Caller = {
        client: session?.server.getClientVersion()?.name ?? null,
        sessionId: extra.sessionId ?? null,
        elicit: session ? elicitor(session, extra.signal) : undefined,
      };
      try {
        const r = await gate.write(name, rest, caller, { wait: wait !== false, queueIfOffline: queue_if_offline === true }, direct);
        if (r.kind === 'deferred') return ok(deferredResult(r.entry, gate.recipientName(r.entry.chatJid), tz));
        return raw ?? ok(r.data);
      } catch (err) {
        return fail(deps, name, err);
      }
    });
  };
  return { registerTool } as unknown as McpServer;
}

/** The gate's executor: each write tool's own callback, collected once, run without a session. */
export function collectExecutors(register: (server: McpServer) => void): (tool: string, args: Record<string, unknown>) => Promise<ExecResult> {
  const callbacks = new Map<string, ToolCallback>();
  register({ registerTool: (name: string, _c: unknown, cb: ToolCallback) => callbacks.set(name, cb) } as unknown as McpServer);
  return async (tool, args) => {
    const cb = callbacks.get(tool);
    if (!cb) return { ok: false, error: new AppError('not_found', `The tool ${tool} is not available on this server (MCP_TOOLSETS)`, 'Enable its toolset, or cancel the send') };
    const extra: Extra = { signal: new AbortController().signal, sendNotification: async () => undefined };
    return execResult(await cb(args, extra));
  };
}

type ResourceResult = { contents: Array<{ uri: string; text?: string; [k: string]: unknown }> };
type ReadCallback = (uri: URL, ...rest: unknown[]) => ResourceResult | Promise<ResourceResult>;

/** The JIDs a resource URI names (whatsapp://chats/<jid>/messages, whatsapp://media/<chat>:<key>…). */
function urisJids(uri: string): string[] {
  return Array.from(decodeURIComponent(uri).matchAll(/[\w.+-]+@(?:s\.whatsapp\.net|lid|g\.us)/g), (m) => m[0]);
}

/**
 * Resources under the read rules: a hidden chat's resources read as "not found", lists and JSON bodies
 * lose the hidden chats, like tool results.
 */
export function safetyResources(server: McpServer, deps: ToolDeps): McpServer {
  const gate = deps.safety;
  if (!gate) return server;
  const visibleUri = (uri: string) => urisJids(uri).every((j) => gate.canRead(j));
  const wrapRead = (cb: ReadCallback): ReadCallback => async (uri, ...rest) => {
    if (!gate.readFiltered()) return cb(uri, ...rest);
    if (!visibleUri(uri.href)) throw new McpError(ErrorCode.InvalidParams, `No resource ${uri.href}: list the chats you can see with list_chats`);
    const r = await cb(uri, ...rest);
    const visible = (jid: string) => gate.canRead(jid);
    return {
      ...r,
      contents: r.contents.map((c) => (typeof c.text === 'string' && c.mimeType === 'application/json' ? { ...c, text: JSON.stringify(redact(JSON.parse(c.text), visible)) } : c)),
    };
  };
  const registerResource = (name: string, where: unknown, meta: unknown, cb: ReadCallback): unknown => {
    let target = where;
    if (where instanceof ResourceTemplate) {
      const list = where.listCallback;
      const complete: Record<string, (value: string, ctx?: unknown) => string[] | Promise<string[]>> = {};
      for (const v of where.uriTemplate.variableNames) {
        const c = where.completeCallback(v);
        if (c) complete[v] = async (value, ctx) => (await c(value, ctx as never)).filter((x) => !gate.readFiltered() || !x.includes('@') || gate.canRead(x));
      }
      target = new ResourceTemplate(where.uriTemplate, {
        list: list
          ? async (extra) => {
              const r = await list(extra);
              return gate.readFiltered() ? { ...r, resources: r.resources.filter((x) => visibleUri(x.uri)) } : r;
            }
          : undefined,
        complete,
      });
    }
    return (server.registerResource as (...a: unknown[]) => unknown).call(server, name, target, meta, wrapRead(cb));
  };
  return { registerResource, server: server.server } as unknown as McpServer;
}

const writeFree = new WeakMap<ListToolsResult, ListToolsResult>();

/** tools/list as the mode allows: without the write tools in read_only mode. */
export function visibleTools(all: ListToolsResult, deps: ToolDeps): ListToolsResult {
  if (!deps.safety?.readOnly()) return all;
  let list = writeFree.get(all);
  if (!list) {
    list = { ...all, tools: all.tools.filter((t) => !writeToolOf(t.name)) };
    writeFree.set(all, list);
  }
  return list;
}
