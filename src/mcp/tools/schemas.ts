/**
 * Shared zod shapes for tool inputs and outputs (SPEC §3 Message, Chat, Contact as readers see them).
 * Output objects are plain (no `additionalProperties: {}`) so strict JSON Schema validators accept them;
 * inputs are strict (unknown arguments rejected).
 */
import { z } from 'zod';

const timeField = z.string().describe('ISO-8601 with offset (DISPLAY_TIMEZONE, default the server zone)');

/** A message as a reader sees it (services/present.ts): names beside ids, ISO time beside epoch ms. */
export const MessageShape = z.object({
  id: z.string().describe('<chatJid>:<keyId>; pass it as message_id / quoted_message_id'),
  chatId: z.string().optional().describe('Only when rows come from several chats'),
  chatName: z.string().optional(),
  time: timeField,
  timestamp: z.number().describe('Epoch milliseconds'),
  from: z.string().optional().describe('Author JID; absent when fromMe, or when the author is the direct chat itself'),
  fromName: z.string().optional().describe('Author name; absent when fromMe'),
  fromMe: z.boolean(),
  type: z.string().optional().describe('Absent for plain text: image, video, audio, document, sticker, location, poll, contact, reaction, system…'),
  body: z.string().describe('The text, or a description of a non-text message ("📷 photo (caption: …)")'),
  hasMedia: z.boolean().optional(),
  mediaMime: z.string().optional(),
  status: z.string().optional().describe('Own messages: pending, sent, delivered, read, played, error'),
  quotedId: z.string().optional(),
  editedAt: z.number().optional(),
  revokedAt: z.number().optional(),
  // Inbound actions (#14): additions only.
  deleted: z.literal(true).optional().describe('Deleted: see deletedFor'),
  deletedFor: z.enum(['everyone', 'me']).optional().describe('everyone = revoked by the sender (text gone); me = deleted on this account only'),
  reactions: z
    .array(z.object({ emoji: z.string(), from: z.string().describe('Reactor JID, or "me"'), fromName: z.string(), time: timeField }))
    .optional()
    .describe('Current reactions, one per person'),
  location: z
    .object({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
      url: z.string().optional(),
      live: z.literal(true).optional().describe('Live location: the last known point'),
      accuracyMeters: z.number().optional(),
    })
    .optional(),
  contacts: z.array(z.object({ name: z.string(), phones: z.array(z.string()), waIds: z.array(z.string()).describe('WhatsApp numbers named in the card') })).optional().describe('Contact cards (vCards)'),
  poll: z
    .object({
      question: z.string(),
      multiple: z.boolean(),
      options: z.array(z.object({ name: z.string(), votes: z.number() })),
      voters: z.number(),
    })
    .optional()
    .describe('Poll with its live tally (get_poll_results names the voters)'),
  notice: z
    .object({
      action: z.string().describe('participants_added, participants_removed, participant_left, joined_via_link, promoted, demoted, subject_changed, …'),
      actor: z.string().optional(),
      actorName: z.string().optional(),
      participants: z.array(z.object({ jid: z.string(), name: z.string() })).optional(),
      value: z.string().optional().describe('New subject / description / setting'),
    })
    .optional()
    .describe('System notice, structured'),
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

export const ChatShape = z.object({
  id: z.string(),
  name: z.string(),
  isGroup: z.boolean(),
  unreadCount: z.number(),
  time: timeField,
  timestamp: z.number().describe('Epoch milliseconds of the newest activity'),
  lastMessage: MessageShape.optional().describe('Newest message with content (bookkeeping stubs are skipped)'),
});

export const ContactShape = z.object({
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

/**
 * A tool's input object: unknown arguments are rejected (JSON Schema `additionalProperties: false`)
 * with the list of valid ones, so `list_chats {querry: …}` fails loudly instead of returning
 * unfiltered results that look filtered.
 */
export function toolInput<S extends z.ZodRawShape>(shape: S) {
  const valid = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `Unknown argument${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}; valid arguments: ${valid.length ? valid.join(', ') : '(none)'}`
        : undefined,
  });
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch ms (number or digit string) or an ISO-8601 date/time → epoch ms; null when it is neither. */
export function parseTime(v: number | string): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : null;
  const s = v.trim();
  if (/^\d{10,15}$/.test(s)) return Number(s);
  if (!ISO_DATE.test(s)) return null;
  const t = Date.parse(s.replace(' ', 'T'));
  return Number.isNaN(t) ? null : t;
}

export function isTimeLike(v: number | string): boolean {
  return parseTime(v) !== null;
}

/** A time bound: epoch milliseconds or ISO-8601, parsed to epoch ms. */
export const timeInput = (what: string) =>
  z
    .union([z.number().int().min(0), z.string().trim().min(4).max(40)])
    .transform((v, ctx) => {
      const t = parseTime(v);
      if (t === null) {
        ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a time: use epoch milliseconds or ISO-8601, e.g. 2025-01-31T18:00:00Z or 2025-01-31` });
        return z.NEVER;
      }
      return t;
    })
    .optional()
    .describe(`${what} (epoch ms or ISO-8601)`);

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
  group_jid: z.string().trim().min(1).max(200).optional().describe('Only this one group: its JID or its name'),
  limit: z.number().int().min(1).max(500).default(500).describe('Return at most this many members per list (default 500; counts stay exact)'),
});

export const READ_ONLY_LOCAL = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
export const READ_ONLY_LIVE = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const;
