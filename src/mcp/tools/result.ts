/**
 * Tool result helpers: success = `structuredContent` plus the same JSON as text; failure = `isError`
 * with a message that says what to do next (never a stack: that goes to the log).
 */
import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../logger.js';
import { toServiceError, type ServiceError } from '../../services/index.js';
import type { ToolDeps } from './tool-deps.js';

export function ok(data: Record<string, unknown>, extra: ContentBlock[] = []): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(data) }, ...extra], structuredContent: data };
}

export function fail(deps: ToolDeps, tool: string, err: unknown): CallToolResult {
  return errorResult(deps.logger, tool, err, toServiceError(err, () => deps.runtime.getStatus()));
}

/** The `isError` result for an error already mapped to a ServiceError (tools outside this folder map their own). */
export function errorResult(logger: Logger, tool: string, err: unknown, e: ServiceError): CallToolResult {
  if (e.code === 'internal') logger.error({ err, tool }, 'tool failed');
  else logger.debug({ tool, code: e.code }, 'tool returned an error');
  return {
    isError: true,
    content: [{ type: 'text', text: e.describe() }],
    _meta: { code: e.code, retryable: e.retryable, ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs }) },
  };
}

/** Runs a tool body, mapping its value to `ok` and anything thrown to `fail`. */
export async function run(deps: ToolDeps, tool: string, body: () => Record<string, unknown> | Promise<Record<string, unknown>>): Promise<CallToolResult> {
  try {
    return ok(await body());
  } catch (err) {
    return fail(deps, tool, err);
  }
}
