import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { GroupsService } from '../../../services/groups.js';
import { run } from '../result.js';
import { MemberListOutput, auditInputs, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { progressReporter } from '../progress.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Members shared across groups',
  description:
    'Members who are in at least min_shared_groups of the analysed groups, most shared first, with the groups they share. ' +
    'Uses stored memberships; refresh_group_info re-reads them live first (progress is reported). Lists are capped at 500 entries; summary counts are exact.',
  inputSchema: toolInput(auditInputs(2)),
  outputSchema: MemberListOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

export function registerAnalyzeGroupOverlapsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'analyze_group_overlaps',
    CONFIG,
    ({ group_limit, refresh_group_info, min_shared_groups, group_jid, limit }, extra) =>
      run(deps, 'analyze_group_overlaps', async () => {
        const scope = await deps.services.groups.scope({
          groupLimit: group_limit,
          group: group_jid,
          refresh: refresh_group_info,
          onProgress: progressReporter(server, extra, deps.config.mcp.jsonResponse),
          signal: extra.signal,
        });
        return { ...GroupsService.list(scope, GroupsService.overlaps(scope, min_shared_groups), limit) };
      }),
  );
}
