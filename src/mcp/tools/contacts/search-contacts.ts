import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { ContactShape, READ_ONLY_LOCAL, limitInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Search contacts',
  description:
    'Browse: contacts whose name, push name, number or JID matches, best first, without scores (up to 50). To pick one person for an action, use resolve_contact.',
  inputSchema: toolInput({
    query: z.string().trim().min(1).max(200).describe('Name, part of a name, phone number (any format) or JID'),
    limit: limitInput(50),
  }),
  outputSchema: z.object({ query: z.string(), contacts: z.array(ContactShape) }),
  annotations: READ_ONLY_LOCAL,
};

export function registerSearchContactsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'search_contacts',
    CONFIG,
    ({ query, limit }) => run(deps, 'search_contacts', () => ({ query, contacts: deps.services.contacts.search(query, limit) })),
  );
}
