/**
 * Shared zod shapes for tool inputs and outputs (SPEC §3 Message, Chat, Contact). Entity objects are
 * "loose" (extra fields allowed) so an additive store change never breaks a client's schema validation.
 */
import { z } from 'zod';

export const MessageShape = z.looseObject({
  id: z.string().describe('<chatJid>:<messageKeyId>'),
  chatId: z.string(),
  from: z.string().describe('Author JID (phone JID preferred), or "me"'),
  fromMe: z.boolean(),
  timestamp: z.number().describe('Epoch milliseconds'),
  body: z.string(),
  type: z.string(),
  hasMedia: z.boolean(),
  status: z.string().optional(),
  quotedId: z.string().optional(),
  mediaMime: z.string().optional(),
  editedAt: z.number().optional(),
  revokedAt: z.number().optional(),
});

export const MediaInfoShape = z.object({
  mimetype: z.string().nullable(),
  downloaded: z.boolean(),
  fileName: z.string().optional(),
  size: z.number().optional(),
  url: z.string().optional(),
  data: z.string().optional().describe('Base64 bytes (include_full_data)'),
});

export const MessageWithMediaShape = MessageShape.extend({ media: MediaInfoShape.optional() });

export const ChatShape = z.looseObject({
  id: z.string(),
  name: z.string(),
  isGroup: z.boolean(),
  unreadCount: z.number(),
  timestamp: z.number().describe('Epoch milliseconds of the newest activity'),
  lastMessage: MessageShape.optional(),
});

export const ContactShape = z.looseObject({
  id: z.string(),
  name: z.string().nullable(),
  pushname: z.string().nullable(),
  number: z.string().nullable(),
  isMyContact: z.boolean(),
  lid: z.string().optional(),
});

export const ContactMatchShape = ContactShape.extend({
  matchedBy: z.string(),
  score: z.number().describe('0..1, 1 = exact id / number match'),
});

export const MemberGroupsShape = z.object({
  id: z.string(),
  name: z.string().nullable(),
  number: z.string().nullable(),
  isMyContact: z.boolean(),
  hasDirectChat: z.boolean(),
  groupCount: z.number(),
  groups: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const AuditSummaryFields = {
  groupsAnalyzed: z.number(),
  uniqueMembers: z.number(),
  source: z.enum(['live', 'cached', 'mixed']),
  refreshed: z.number(),
  refreshFailed: z.number(),
  refreshNote: z.string().optional(),
};

export const MemberListOutput = z.object({
  summary: z.object({ ...AuditSummaryFields, matched: z.number(), returned: z.number() }),
  members: z.array(MemberGroupsShape),
});

// ---- inputs -------------------------------------------------------------------------------------

export const jidInput = (what: string) => z.string().trim().min(3).max(200).describe(what);
export const limitInput = (dflt: number, max = 500) => z.number().int().min(1).max(max).default(dflt).describe(`How many to return (1–${max}, default ${dflt})`);
export const cursorInput = z.string().min(1).max(500).optional().describe('nextCursor from the previous page; omit for the first page');
export const idempotencyKeyInput = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe('Optional key (1–200 chars): retrying with the same key and parameters returns the first result instead of acting twice (kept 24 h)');

export const auditInputs = (minSharedDefault: number) => ({
  group_limit: z.number().int().min(1).max(2000).default(200).describe('Analyse the newest N groups (1–2000, default 200)'),
  refresh_group_info: z.boolean().default(false).describe('Re-read live group metadata first (slower; needs a connection)'),
  min_shared_groups: z.number().int().min(1).max(1000).default(minSharedDefault).describe(`Only members in at least this many of the analysed groups (default ${minSharedDefault})`),
});

export const READ_ONLY_LOCAL = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
export const READ_ONLY_LIVE = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const;
