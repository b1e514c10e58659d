import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { GroupsService } from '../../../services/groups.js';
import { run } from '../result.js';
import { MemberListOutput, auditInputs, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { progressReporter } from '../progress.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Group members without a direct chat',
  description:
    'Members of the analysed groups (in at least min_shared_groups of them) with whom there is no 1:1 chat. ' +
    'Uses stored memberships; refresh_group_info re-reads them live first (progress is reported). Lists are capped at 500 entries; summary counts are exact.',
  inputSchema: toolInput(auditInputs(1)),
  outputSchema: MemberListOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

export function registerFindMembersWithoutDirectChatTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'find_members_without_direct_chat',
    CONFIG,
    ({ group_limit, refresh_group_info, min_shared_groups, group_jid, limit }, extra) =>
      run(deps, 'find_members_without_direct_chat', async () => {
        const scope = await deps.services.groups.scope({
          groupLimit: group_limit,
          group: group_jid,
          refresh: refresh_group_info,
          onProgress: progressReporter(server, extra, deps.config.mcp.jsonResponse),
          signal: extra.signal,
        });
        return { ...GroupsService.list(scope, GroupsService.withoutDirectChat(scope, min_shared_groups), limit) };
      }),
  );
}
