import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { ContactMatchShape, READ_ONLY_LOCAL, limitInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Resolve a contact',
  description:
    'Pick one person: the best few matches for a name, number or id with matchedBy and a score 0..1 (1 = exact id or number); tolerates typos and Cyrillic/Latin spelling ' +
    '(fuzzy matches score ≤ 0.65). Act on matches[0] when its score is clearly ahead; otherwise ask. To list many contacts, use search_contacts.',
  inputSchema: toolInput({
    query: z.string().trim().min(1).max(200).describe('Name, phone number (any format), JID or LID'),
    limit: limitInput(5, 50),
  }),
  outputSchema: z.object({ query: z.string(), matches: z.array(ContactMatchShape) }),
  annotations: READ_ONLY_LOCAL,
};

export function registerResolveContactTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'resolve_contact',
    CONFIG,
    ({ query, limit }) => run(deps, 'resolve_contact', () => ({ query, matches: deps.services.contacts.resolve(query, limit) })),
  );
}
