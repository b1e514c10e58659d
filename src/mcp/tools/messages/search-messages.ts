import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { MessageShape, READ_ONLY_LOCAL, limitInput } from '../schemas.js';
import { invalidInput } from '../../../errors.js';
import type { ToolDeps } from '../tool-deps.js';

/** Epoch ms or an ISO-8601 date/time string → epoch ms. */
const timeInput = (what: string) =>
  z
    .union([z.number().int().min(0), z.string().trim().min(4).max(40)])
    .optional()
    .describe(`${what}: epoch milliseconds or an ISO-8601 date/time (e.g. "2025-01-31T18:00:00Z")`);

function toMs(v: number | string | undefined, name: string): number | undefined {
  if (v === undefined || typeof v === 'number') return v;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`${name} is not a valid date/time: "${v}". Use epoch milliseconds or ISO-8601, e.g. 2025-01-31T18:00:00Z`);
  return t;
}

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Search messages',
  description:
    'Full-text search over stored messages (words, "quoted phrases", prefix*), ranked by relevance among the newest matches, with **highlighted** snippets and no duplicates. ' +
    'Optionally within one chat and a time range.',
  inputSchema: z.object({
    query: z.string().trim().min(1).max(500).describe('Words to find'),
    chat_id: z.string().trim().min(3).max(200).optional().describe('Only this chat (JID from list_chats)'),
    limit: limitInput(20),
    from: timeInput('Only messages at or after this time'),
    to: timeInput('Only messages at or before this time'),
  }),
  outputSchema: z.object({
    query: z.string(),
    hits: z.array(z.object({ message: MessageShape, snippet: z.string(), score: z.number().describe('bm25: lower is more relevant') })),
    truncated: z.boolean().describe('More messages match than were ranked: results are the most relevant among the newest matches'),
  }),
  annotations: READ_ONLY_LOCAL,
};

export function registerSearchMessagesTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'search_messages',
    CONFIG,
    (a) =>
      run(deps, 'search_messages', () => {
        let since: number | undefined;
        let until: number | undefined;
        try {
          since = toMs(a.from, 'from');
          until = toMs(a.to, 'to');
        } catch (err) {
          throw invalidInput((err as Error).message, 'Fix the from/to value and retry');
        }
        return { ...deps.services.messages.search(a.query, { chatId: a.chat_id, limit: a.limit, since, until }) };
      }),
  );
}
