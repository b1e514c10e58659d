import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { ContactShape, READ_ONLY_LOCAL, limitInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Search contacts',
  description: 'Finds contacts whose name, push name, phone number or JID matches the query, best matches first. A person known by LID and phone appears once.',
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
