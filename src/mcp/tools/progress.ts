/**
 * Progress notifications for long tools, sent only when the client passed a progress token.
 * With SSE responses they travel on the request's own stream (ordered before the result); with JSON
 * responses a request has no stream, so they go to the session's notification (GET) stream instead.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export function progressReporter(
  server: McpServer,
  extra: ToolExtra,
  jsonResponse: boolean,
): ((done: number, total: number, message: string) => Promise<void>) | undefined {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  return async (progress, total, message) => {
    const notification: ServerNotification = { method: 'notifications/progress', params: { progressToken: token, progress, total, message } };
    try {
      if (jsonResponse) await server.server.notification(notification);
      else await extra.sendNotification(notification);
    } catch {
      // The client went away; the tool result is still produced.
    }
  };
}
