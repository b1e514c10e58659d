import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { AuditSummaryFields, MemberGroupsShape, auditInputs, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { progressReporter } from '../progress.js';

const Output = z.object({
  summary: z.object({ ...AuditSummaryFields, overlaps: z.number(), withoutDirectChat: z.number(), notInContacts: z.number() }),
  overlaps: z.array(MemberGroupsShape),
  withoutDirectChat: z.array(MemberGroupsShape),
  notInContacts: z.array(MemberGroupsShape),
});

const { min_shared_groups, ...common } = auditInputs(1);

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Run a group audit',
  description:
    'All three group views in one pass: members shared across groups (overlaps), members without a direct chat, members not in contacts. ' +
    'refresh_group_info re-reads live metadata first with bounded concurrency and per-group timeouts, sending progress notifications.',
  inputSchema: toolInput({
    ...common,
    overlap_min_shared_groups: z.number().int().min(1).max(1000).default(2).describe('Overlaps: members in at least this many groups (default 2)'),
    min_shared_groups,
  }),
  outputSchema: Output,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

export function registerRunGroupAuditTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'run_group_audit',
    CONFIG,
    (args, extra) =>
      run(deps, 'run_group_audit', async () => ({
        ...(await deps.services.groups.audit({
          groupLimit: args.group_limit,
          group: args.group_jid,
          limit: args.limit,
          refresh: args.refresh_group_info,
          overlapMinShared: args.overlap_min_shared_groups,
          minShared: args.min_shared_groups,
          onProgress: progressReporter(server, extra, deps.config.mcp.jsonResponse),
          signal: extra.signal,
        })),
      })),
  );
}
