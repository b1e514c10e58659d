/** Registers every tool of SPEC §3 (one file per tool under this folder). */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerCheckAuthStatusTool } from './auth/check-auth-status.js';
import { registerForceResyncTool } from './auth/force-resync.js';
import { registerGetQrCodeTool } from './auth/get-qr-code.js';
import { registerLogoutTool } from './auth/logout.js';
import { registerRequestPairingCodeTool } from './auth/request-pairing-code.js';
import { registerGetChatByContactTool } from './chats/get-chat-by-contact.js';
import { registerGetChatByIdTool } from './chats/get-chat-by-id.js';
import { registerGetDirectChatByContactNumberTool } from './chats/get-direct-chat-by-contact-number.js';
import { registerListChatsTool } from './chats/list-chats.js';
import { registerListGroupsTool } from './chats/list-groups.js';
import { registerListSystemChatsTool } from './chats/list-system-chats.js';
import { registerMarkAsReadTool } from './chats/mark-as-read.js';
import { registerGetContactByIdTool } from './contacts/get-contact-by-id.js';
import { registerGetGroupInfoTool } from './contacts/get-group-info.js';
import { registerGetProfilePicTool } from './contacts/get-profile-pic.js';
import { registerResolveContactTool } from './contacts/resolve-contact.js';
import { registerSearchContactsTool } from './contacts/search-contacts.js';
import { registerAnalyzeGroupOverlapsTool } from './groups/analyze-group-overlaps.js';
import { registerFindMembersNotInContactsTool } from './groups/find-members-not-in-contacts.js';
import { registerFindMembersWithoutDirectChatTool } from './groups/find-members-without-direct-chat.js';
import { registerRunGroupAuditTool } from './groups/run-group-audit.js';
import { registerCatchUpTool } from './messages/catch-up.js';
import { registerGetLastInteractionTool } from './messages/get-last-interaction.js';
import { registerDownloadMediaTool } from './media/download-media.js';
import { registerGetMediaTool } from './media/get-media.js';
import { registerSendMediaTool } from './media/send-media.js';
import { registerStageMediaTool } from './media/stage-media.js';
import { registerGetMessageByIdTool } from './messages/get-message-by-id.js';
import { registerGetMessageContextTool } from './messages/get-message-context.js';
import { registerListMessagesTool } from './messages/list-messages.js';
import { registerSearchMessagesTool } from './messages/search-messages.js';
import { registerSendMessageTool } from './messages/send-message.js';
import { registerPingTool } from './utility/ping.js';
import { registerCancelSendTool } from './safety/cancel-send.js';
import { registerGetSendStatusTool } from './safety/get-send-status.js';
import { registerListOutboxTool } from './safety/list-outbox.js';
import type { ToolDeps } from './tool-deps.js';
import { ACTION_REGISTRARS } from './actions/index.js';
import { TOOLSETS, toolsetOf, type Toolset } from './toolsets.js';
import { safetyServer } from '../safety.js';

const REGISTRARS: ReadonlyArray<(server: McpServer, deps: ToolDeps) => void> = [
  registerGetQrCodeTool,
  registerRequestPairingCodeTool,
  registerCheckAuthStatusTool,
  registerLogoutTool,
  registerForceResyncTool,
  registerSearchContactsTool,
  registerResolveContactTool,
  registerGetContactByIdTool,
  registerGetProfilePicTool,
  registerGetGroupInfoTool,
  registerListChatsTool,
  registerListSystemChatsTool,
  registerGetChatByIdTool,
  registerListGroupsTool,
  registerGetDirectChatByContactNumberTool,
  registerGetChatByContactTool,
  registerMarkAsReadTool,
  registerAnalyzeGroupOverlapsTool,
  registerFindMembersWithoutDirectChatTool,
  registerFindMembersNotInContactsTool,
  registerRunGroupAuditTool,
  registerListMessagesTool,
  registerSearchMessagesTool,
  registerGetMessageByIdTool,
  registerGetMessageContextTool,
  registerGetLastInteractionTool,
  registerCatchUpTool,
  registerSendMessageTool,
  registerSendMediaTool,
  registerDownloadMediaTool,
  registerGetMediaTool,
  registerStageMediaTool,
  registerPingTool,
  registerGetSendStatusTool,
  registerListOutboxTool,
  registerCancelSendTool,
  ...ACTION_REGISTRARS,
];

/**
 * Registers the tools of the configured toolsets (MCP_TOOLSETS). Tool files only call `registerTool`, so a
 * small delegating object that drops the tools of other sets is all the filtering needs.
 */
export function registerAllTools(server: McpServer, deps: ToolDeps, opts: { gated?: boolean } = {}): void {
  const enabled = new Set(deps.config.mcp.toolsets);
  const filtered = enabled.size === TOOLSETS.length ? server : filteringServer(server, enabled);
  // Send safety wraps every tool (src/mcp/safety.ts); the gate's own executor registers them unwrapped.
  const target = opts.gated === false ? filtered : safetyServer(filtered, deps);
  for (const register of REGISTRARS) register(target, deps);
}

function filteringServer(server: McpServer, enabled: ReadonlySet<Toolset>): McpServer {
  const registerTool = (name: string, ...rest: unknown[]): unknown => {
    const set = toolsetOf(name);
    if (set === undefined || !enabled.has(set)) return undefined;
    return (server.registerTool as (...a: unknown[]) => unknown).call(server, name, ...rest);
  };
  return { registerTool } as unknown as McpServer;
}

export type { ToolDeps } from './tool-deps.js';
