import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { ChatShape, READ_ONLY_LOCAL, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Get the direct chat with a phone number',
  description:
    'Normalises a phone number in any common format ("+44 7911 123456", "0044…", "447911123456") to a WhatsApp JID and returns the 1:1 chat with it (chat is null when none is stored yet; send_message can still start one).',
  inputSchema: toolInput({ phone_number: z.string().trim().min(3).max(40).describe('Phone number with country code') }),
  outputSchema: z.object({ jid: z.string(), chat: ChatShape.nullable() }),
  annotations: READ_ONLY_LOCAL,
};

export function registerGetDirectChatByContactNumberTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_direct_chat_by_contact_number',
    CONFIG,
    ({ phone_number }) => run(deps, 'get_direct_chat_by_contact_number', () => ({ ...deps.services.chats.directByPhone(phone_number) })),
  );
}
