/** Shapes shared by the action tools (#14): the message-id input and the "what was sent" output. */
import { z } from 'zod';

export const messageIdInput = (what: string) =>
  z.string().trim().min(1).max(300).describe(`${what}: its id from list_messages (bare key id, or <chatJid>:<keyId>)`);

export const ActionOutputFields = {
  messageId: z.string().describe('<chatJid>:<keyId>'),
  chatId: z.string(),
  timestamp: z.number().describe('Epoch milliseconds'),
  deduplicated: z.boolean().describe('True when this returned the result of an earlier call with the same idempotency_key and nothing was sent again'),
  idempotencyKey: z.string().nullable(),
};

/** Writes that reach other people: not read-only, not destructive, not idempotent unless noted. */
export const WRITE = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const;
