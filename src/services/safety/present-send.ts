/** An outbox row as agents and the admin UI see it: ISO times, only the fields that apply to its status. */
import type { OutboxEntry } from '../../store/repos/outbox.js';
import { isoTime } from '../present.js';

export { OUTBOX_STATUSES, OPEN_STATUSES, type OutboxEntry, type OutboxStatus } from '../../store/repos/outbox.js';

export function presentSend(e: OutboxEntry, tz?: string): Record<string, unknown> {
  return {
    sendId: e.sendId,
    status: e.status,
    tool: e.tool,
    ...(e.chatJid === null ? {} : { chatId: e.chatJid }),
    summary: e.summary,
    reason: e.reason,
    createdAt: isoTime(e.createdAt, tz),
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
