/** The action tools of #14 (reactions, edits, deletes, forwards, structured messages, presence, number check, group administration). */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../tool-deps.js';
import { registerBlockContactTool } from './block-contact.js';
import { registerArchiveChatTool, registerMuteChatTool, registerPinChatTool } from './chat-state.js';
import { registerCheckWhatsappNumbersTool } from './check-whatsapp-numbers.js';
import { registerCreateGroupTool } from './create-group.js';
import { registerGetGroupInviteLinkTool } from './get-group-invite-link.js';
import { registerJoinGroupTool } from './join-group.js';
import { registerLeaveGroupTool } from './leave-group.js';
import { registerUpdateGroupParticipantsTool } from './update-group-participants.js';
import { registerUpdateGroupSettingsTool } from './update-group-settings.js';
import { registerDeleteMessageTool } from './delete-message.js';
import { registerEditMessageTool } from './edit-message.js';
import { registerForwardMessageTool } from './forward-message.js';
import { registerReactToMessageTool } from './react-to-message.js';
import { registerSendContactTool } from './send-contact.js';
import { registerSendLocationTool } from './send-location.js';
import { registerSendPollTool } from './send-poll.js';
import { registerSetPresenceTool } from './set-presence.js';

export const ACTION_REGISTRARS: ReadonlyArray<(server: McpServer, deps: ToolDeps) => void> = [
  registerReactToMessageTool,
  registerEditMessageTool,
  registerDeleteMessageTool,
  registerForwardMessageTool,
  registerSendLocationTool,
  registerSendContactTool,
  registerSendPollTool,
  registerSetPresenceTool,
  registerCheckWhatsappNumbersTool,
  registerCreateGroupTool,
  registerUpdateGroupParticipantsTool,
  registerUpdateGroupSettingsTool,
  registerGetGroupInviteLinkTool,
  registerJoinGroupTool,
  registerLeaveGroupTool,
  registerArchiveChatTool,
  registerPinChatTool,
  registerMuteChatTool,
  registerBlockContactTool,
];
