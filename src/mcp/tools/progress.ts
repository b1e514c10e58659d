/**
 * Progress notifications for long tools, sent only when the client passed a progress token.
 * They are always related to the request, so they travel on the request's own SSE stream, ordered before
 * the result: in JSON-response mode the HTTP layer answers a request that carries a progress token as
 * SSE for exactly this reason (session-transport.ts); over stdio there is one stream anyway.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** `_server` and `_jsonResponse` are kept for the tools' call sites; the route no longer depends on them. */
export function progressReporter(
  _server: McpServer,
  extra: ToolExtra,
  _jsonResponse?: boolean,
): ((done: number, total: number, message: string) => Promise<void>) | undefined {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  return async (progress, total, message) => {
    try {
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, total, message } });
    } catch {
      // The client went away; the tool result is still produced.
    }
  };
}
