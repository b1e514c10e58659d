import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { READ_ONLY_LOCAL, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { messageIdInput } from './shapes.js';

const CONFIG = {
  title: 'Get poll results',
  description: 'Counts the votes of a poll (sent or received) from the stored, decrypted votes, with who voted for what; each person\'s newest vote counts.',
  inputSchema: toolInput({ message_id: messageIdInput('The poll message') }),
  outputSchema: z.object({
    messageId: z.string(),
    chatId: z.string(),
    question: z.string(),
    multiple: z.boolean(),
    options: z.array(z.object({ name: z.string(), votes: z.number(), voters: z.array(z.object({ jid: z.string(), name: z.string() })) })),
    voters: z.number().describe('People whose newest vote selects at least one option'),
    undecryptable: z.number().describe('Stored votes that could not be decrypted'),
  }),
  annotations: READ_ONLY_LOCAL,
};

export function registerGetPollResultsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('get_poll_results', CONFIG, (a) => run(deps, 'get_poll_results', () => ({ ...deps.services.actions.getPollResults(a.message_id) })));
}
