/** An outbox row as agents and the admin UI see it: ISO times, only the fields that apply to its status. */
import type { OutboxEntry } from '../../store/index.js';
import { isoTime } from '../present.js';

export { OUTBOX_STATUSES, OPEN_STATUSES, type OutboxEntry, type OutboxStatus } from '../../store/index.js';

/** The words a write would put in front of people, in full (the summary is cut at 120 characters). */
function contentOf(args: Record<string, unknown>): string | undefined {
  for (const k of ['message', 'text', 'caption', 'question'] as const) if (typeof args[k] === 'string') return args[k];
  return undefined;
}

/** `recipient` is the gate's "Name (+number)" for the row's chat. */
export function presentSend(e: OutboxEntry, tz?: string, recipient?: string | null): Record<string, unknown> {
  const content = contentOf(e.args);
  return {
    sendId: e.sendId,
    status: e.status,
    tool: e.tool,
    ...(e.chatJid === null ? {} : { chatId: e.chatJid }),
    ...(recipient ? { recipient } : {}),
    ...(e.client === null ? {} : { client: e.client }),
    summary: e.summary,
    ...(content === undefined ? {} : { content }),
    reason: e.reason,
    createdAt: isoTime(e.createdAt, tz),
    updatedAt: isoTime(e.updatedAt, tz),
    ...(e.notBefore !== null && e.status === 'queued' ? { scheduledAt: isoTime(e.notBefore, tz) } : {}),
    ...(e.expiresAt !== null && e.status === 'pending_approval' ? { expiresAt: isoTime(e.expiresAt, tz) } : {}),
    ...(e.decidedBy === null ? {} : { decidedBy: e.decidedBy }),
    ...(e.result === null ? {} : { result: pick(e.result) }),
    ...(e.error === null ? {} : { error: e.error }),
  };
}

/** The identifying part of a tool result: which message a write became. */
function pick(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['messageId', 'chatId', 'timestamp'] as const) if (r[k] !== undefined) out[k] = r[k];
  return out;
}
