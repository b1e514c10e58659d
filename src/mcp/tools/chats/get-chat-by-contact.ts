import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { ChatShape, ContactMatchShape, READ_ONLY_LOCAL, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const Output = z.object({
  status: z.enum(['found', 'ambiguous', 'no_chat', 'not_found']),
  chat: ChatShape.nullable(),
  contact: ContactMatchShape.nullable(),
  matches: z.array(ContactMatchShape).describe('Candidate contacts, best first (pick one and call again with its id when ambiguous)'),
  chatMatches: z.array(ChatShape).describe('Chats matched by name when no contact matched'),
  autoSelected: z.boolean(),
});

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Get the chat with a contact',
  description:
    'Resolves a contact by name, number or id, then returns the chat with them. When several contacts match, returns status "ambiguous" with the candidates ' +
    '(auto-selected when the auto_select_contact setting is on and one match is a clear winner).',
  inputSchema: toolInput({
    query: z.string().trim().min(1).max(200).describe('Name, phone number or JID'),
    max_candidates: z.number().int().min(1).max(50).default(5).describe('How many candidates to consider and return (default 5)'),
  }),
  outputSchema: Output,
  annotations: READ_ONLY_LOCAL,
};

export function registerGetChatByContactTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_chat_by_contact',
    CONFIG,
    ({ query, max_candidates }) => run(deps, 'get_chat_by_contact', () => ({ ...deps.services.chats.byContact(query, max_candidates) })),
  );
}
