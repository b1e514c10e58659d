/**
 * MCP prompts: `catch_up`, `summarize_chat {chat}`, `draft_reply {chat}`. Each embeds the data it needs
 * (read through the same services as the tools) so the model starts with it instead of a tool call.
 * The `chat` argument completes on contact and group names, not only JID prefixes. The owner's read rules
 * (issue #15) apply as to tool results: a hidden chat is neither completed nor embedded.
 */
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { toAppError } from '../../services/errors.js';
import { readable } from '../safety.js';
import type { ToolDeps } from '../tools/tool-deps.js';

/** Chat names (and JIDs) matching what was typed so far: name prefix first, then contains, then JID prefix. */
export function completeChat(deps: Pick<ToolDeps, 'services' | 'safety'>, typed: string, max = 20): string[] {
  const q = typed.trim().toLowerCase();
  const canRead = (c: { id: string }) => !deps.safety?.readFiltered() || deps.safety.canRead(c.id);
  const chats = deps.services.chats.list({ limit: 200, includeLastMessage: false, ...(q ? { query: typed.trim() } : {}) }).items.filter(canRead);
  const starts = chats.filter((c) => c.name.toLowerCase().startsWith(q)).map((c) => c.name);
  const rest = chats.filter((c) => !c.name.toLowerCase().startsWith(q)).map((c) => c.name);
  const ids = q ? deps.services.chats.list({ limit: 200, includeLastMessage: false }).items.filter((c) => c.id.startsWith(q) && canRead(c)).map((c) => c.id) : [];
  return [...new Set([...starts, ...rest, ...ids])].slice(0, max);
}

function text(t: string): GetPromptResult['messages'][number] {
  return { role: 'user', content: { type: 'text', text: t } };
}

function guard<A>(body: (args: A) => Promise<GetPromptResult> | GetPromptResult): (args: A) => Promise<GetPromptResult> {
  return async (args) => {
    try {
      return await body(args);
    } catch (err) {
      throw new McpError(ErrorCode.InvalidParams, toAppError(err).describe());
    }
  };
}

export function registerPrompts(server: McpServer, deps: ToolDeps): void {
  const chatArg = () =>
    completable(z.string().trim().min(1).max(200).describe('Chat: contact or group name, phone number or JID'), (value) => completeChat(deps, value));

  server.registerPrompt(
    'catch_up',
    { title: 'Catch up on WhatsApp', description: 'What did I miss: the unread messages of every chat, to summarise by chat.' },
    guard(() => {
      const data = readable(deps.services.messages.catchUp({ limitPerChat: 20, maxChats: 20 }), deps.safety);
      return {
        description: data.summary,
        messages: [
          text(
            'Here is what I missed on WhatsApp (unread messages, grouped by chat, newest chat first):\n\n' +
              JSON.stringify(data) +
              '\n\nSummarise it per chat in a line or two: who wrote, what they want, and whether it needs a reply from me. ' +
              'List the chats that need a reply first. Do not send anything.',
          ),
        ],
      };
    }),
  );

  server.registerPrompt(
    'summarize_chat',
    { title: 'Summarise a chat', description: 'The recent messages of one chat, to summarise.', argsSchema: { chat: chatArg() } },
    guard(async ({ chat }: { chat: string }) => {
      const page = readable(await deps.services.messages.list(chat, { limit: 100 }), deps.safety);
      return {
        description: `Recent messages with ${page.chatName}`,
        messages: [
          text(
            `These are the latest ${page.messages.length} messages of my WhatsApp chat "${page.chatName}" (oldest first):\n\n` +
              JSON.stringify(page) +
              '\n\nSummarise the conversation: the topics, decisions, open questions and anything I promised or was asked to do.',
          ),
        ],
      };
    }),
  );

  server.registerPrompt(
    'draft_reply',
    { title: 'Draft a reply', description: 'The end of one chat, to draft my next message (not sent).', argsSchema: { chat: chatArg() } },
    guard(async ({ chat }: { chat: string }) => {
      const page = readable(await deps.services.messages.list(chat, { limit: 30 }), deps.safety);
      return {
        description: `Draft a reply to ${page.chatName}`,
        messages: [
          text(
            `These are the latest messages of my WhatsApp chat "${page.chatName}" (${page.chatId}), oldest first:\n\n` +
              JSON.stringify(page) +
              '\n\nDraft my reply in the language and tone of the chat, short like a chat message. Show it to me and wait: only after I confirm, ' +
              `send it with send_message (recipient_jid "${page.chatId}", quoted_message_id of the message it answers when that helps).`,
          ),
        ],
      };
    }),
  );

  // The prompt set is fixed for the server's lifetime.
  server.server.registerCapabilities({ prompts: { listChanged: false } });
}
