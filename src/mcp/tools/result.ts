/**
 * Tool result helpers: success = `structuredContent` plus the same data as JSON text, lists written as
 * tables (table-text.ts); failure = `isError` with the AppError's message and next step (src/errors.ts),
 * never a stack (that goes to the log).
 */
import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import { toAppError } from '../../services/errors.js';
import { tableText } from './table-text.js';
import type { ToolDeps } from './tool-deps.js';

export function ok(data: Record<string, unknown>, extra: ContentBlock[] = []): CallToolResult {
  return { content: [{ type: 'text', text: tableText(data) }, ...extra], structuredContent: data };
}

/** The `isError` result for anything thrown by a tool body. */
export function fail(deps: Pick<ToolDeps, 'logger' | 'runtime'>, tool: string, err: unknown): CallToolResult {
  const e = toAppError(err, () => deps.runtime.getStatus());
  if (e.code === 'internal') deps.logger.error({ err, tool }, 'tool failed');
  else deps.logger.debug({ tool, code: e.code }, 'tool returned an error');
  return {
    isError: true,
    content: [{ type: 'text', text: e.describe() }],
    _meta: { code: e.code, retryable: e.retryable, ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs }) },
  };
}

/** Runs a tool body, mapping its value to `ok` and anything thrown to `fail`. */
export async function run(deps: Pick<ToolDeps, 'logger' | 'runtime'>, tool: string, body: () => Record<string, unknown> | Promise<Record<string, unknown>>): Promise<CallToolResult> {
  try {
    return ok(await body());
  } catch (err) {
    return fail(deps, tool, err);
  }
}
