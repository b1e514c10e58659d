/**
 * archive_chat, pin_chat, mute_chat (#14): app-state changes of one chat, synced to the phone and the
 * other linked devices. One registrar per tool, sharing the output shape.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, timeInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const Output = z.object({ chatId: z.string(), on: z.boolean(), mutedUntil: z.number().nullable().optional(), deduplicated: z.boolean(), idempotencyKey: z.string().nullable() });
const ANNOTATIONS = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const;
const chatInput = jidInput('The chat: JID (…@s.whatsapp.net / …@g.us), LID or phone number');
const EIGHT_HOURS = 8 * 3600_000;

export function registerArchiveChatTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'archive_chat',
    {
      title: 'Archive or unarchive a chat',
      description: 'Archives (on: true) or unarchives a chat on your account; the phone and linked devices follow.',
      inputSchema: toolInput({ chat_id: chatInput, on: z.boolean().describe('true archives, false unarchives'), idempotency_key: idempotencyKeyInput }),
      outputSchema: Output,
      annotations: ANNOTATIONS,
    },
    (a) =>
      run(deps, 'archive_chat', async () => ({
        ...(await deps.services.actions.changeChat({ chatId: a.chat_id, change: { kind: 'archive', on: a.on }, idempotencyKey: a.idempotency_key })),
        on: a.on,
      })),
  );
}

export function registerPinChatTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'pin_chat',
    {
      title: 'Pin or unpin a chat',
      description: 'Pins (on: true) a chat to the top of the chat list, or unpins it; the phone and linked devices follow. WhatsApp allows 3 pinned chats.',
      inputSchema: toolInput({ chat_id: chatInput, on: z.boolean().describe('true pins, false unpins'), idempotency_key: idempotencyKeyInput }),
      outputSchema: Output,
      annotations: ANNOTATIONS,
    },
    (a) =>
      run(deps, 'pin_chat', async () => ({
        ...(await deps.services.actions.changeChat({ chatId: a.chat_id, change: { kind: 'pin', on: a.on }, idempotencyKey: a.idempotency_key })),
        on: a.on,
      })),
  );
}

export function registerMuteChatTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'mute_chat',
    {
      title: 'Mute or unmute a chat',
      description: 'Mutes notifications of a chat until a time (default 8 hours from now), or unmutes it (on: false); the phone and linked devices follow.',
      inputSchema: toolInput({
        chat_id: chatInput,
        on: z.boolean().describe('true mutes, false unmutes'),
        until: timeInput('Mute until (default 8 hours from now; only with on: true)'),
        idempotency_key: idempotencyKeyInput,
      }),
      outputSchema: Output,
      annotations: ANNOTATIONS,
    },
    (a) =>
      run(deps, 'mute_chat', async () => {
        const until = a.on ? (a.until ?? Date.now() + EIGHT_HOURS) : null;
        const r = await deps.services.actions.changeChat({ chatId: a.chat_id, change: { kind: 'mute', until }, idempotencyKey: a.idempotency_key });
        return { ...r, on: a.on, mutedUntil: until };
      }),
  );
}
