/**
 * Toolsets (`MCP_TOOLSETS`, issue #15): tools/list is read into every conversation of every client, so a
 * client that only reads can be given only the reading tools. Every tool belongs to exactly one set (a
 * test fails for a tool that belongs to none); the default is all of them.
 */
import { TOOLSETS, type Toolset } from '../../config.js';

export { TOOLSETS, type Toolset };

const MEMBERS: Record<Toolset, readonly string[]> = {
  // Reading chats, contacts and messages, and the connection's status (an agent needs it to explain errors).
  read: [
    'ping', 'check_auth_status', 'list_chats', 'list_system_chats', 'get_chat_by_id', 'list_groups', 'get_direct_chat_by_contact_number',
    'get_chat_by_contact', 'search_contacts', 'resolve_contact', 'get_contact_by_id', 'get_profile_pic', 'list_messages',
    'search_messages', 'get_message_by_id', 'get_message_context', 'get_last_interaction', 'catch_up', 'check_whatsapp_numbers', 'get_poll_results',
  ],
  // Everything that writes to WhatsApp in a chat (other people see it, or it syncs to the phone).
  send: [
    'send_message', 'mark_as_read', 'react_to_message', 'edit_message', 'delete_message', 'forward_message', 'send_location',
    'send_contact', 'send_poll', 'set_presence', 'archive_chat', 'pin_chat', 'mute_chat', 'block_contact',
    'get_send_status', 'list_outbox', 'cancel_send',
  ],
  media: ['send_media', 'download_media', 'get_media', 'stage_media'],
  groups: [
    'get_group_info', 'analyze_group_overlaps', 'find_members_without_direct_chat', 'find_members_not_in_contacts', 'run_group_audit',
    'create_group', 'update_group_participants', 'update_group_settings', 'get_group_invite_link', 'join_group', 'leave_group',
  ],
  // Pairing and the connection itself.
  admin: ['get_qr_code', 'request_pairing_code', 'logout', 'force_resync'],
};

const SET_OF = new Map<string, Toolset>(TOOLSETS.flatMap((set) => MEMBERS[set].map((name) => [name, set] as const)));

/** The toolset of a tool, or undefined for a tool no set lists (a programming error the tests catch). */
export function toolsetOf(name: string): Toolset | undefined {
  return SET_OF.get(name);
}
