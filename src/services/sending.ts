/**
 * Send safety (SPEC §3): sending requires the `open` state; idempotency keys (SQLite, TTL, fingerprint of
 * tool + parameters, concurrent duplicates send once, survive restarts); the duplicate-text window
 * (identical text to the same chat within `dedupWindowMs` returns the first result).
 */
import { createHash } from 'node:crypto';
import type { SentMessage } from '../whatsapp/gateway.js';
import { requireOpen, type ServiceDeps } from './context.js';
import { ServiceError, invalidInput, notFound, toServiceError, withTimeout } from './errors.js';

export interface SendResult {
  messageId: string;
  chatId: string;
  timestamp: number;
  deduplicated: boolean;
  idempotencyKey: string | null;
}

export interface SendTextInput {
  recipient: string;
  text: string;
  idempotencyKey?: string;
  quotedMessageId?: string;
}

interface WindowEntry {
  at: number;
  result: Promise<SendResult>;
}

/** Stable JSON (sorted keys) for fingerprints. */
function stable(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
    .join(',')}}`;
}

export function fingerprint(tool: string, params: Record<string, unknown>): string {
  return createHash('sha256').update(`${tool}\n${stable(params)}`).digest('hex');
}

export class SendingService {
  private readonly window = new Map<string, WindowEntry>();
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(private readonly deps: ServiceDeps) {
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), 10 * 60_000);
    this.pruneTimer.unref();
  }

  close(): void {
    clearInterval(this.pruneTimer);
  }

  private prune(): void {
    try {
      this.deps.store.idempotency.pruneExpired();
    } catch (err) {
      this.deps.logger.warn({ err }, 'pruning idempotency keys failed');
    }
  }

  /**
   * Runs `action` at most once per idempotency key: same key + same fingerprint → the stored result with
   * `deduplicated: true`; other parameters / tool → an error; a concurrent duplicate waits for the first.
   */
  async once<T extends object>(tool: string, key: string | undefined, params: Record<string, unknown>, action: () => Promise<T>): Promise<T & { deduplicated: boolean }> {
    if (key === undefined) {
      const r = await action();
      return { ...r, deduplicated: (r as { deduplicated?: boolean }).deduplicated ?? false };
    }
    const idem = this.deps.store.idempotency;
    const claim = idem.claim(key, tool, fingerprint(tool, params), { ttlMs: this.deps.config.sending.idempotencyTtlMs });
    switch (claim.status) {
      case 'claimed': {
        try {
          const r = await action();
          idem.complete(key, r);
          return { ...r, deduplicated: (r as { deduplicated?: boolean }).deduplicated ?? false };
        } catch (err) {
          idem.release(key, err);
          throw err;
        }
      }
      case 'done':
        return { ...(claim.result as T), deduplicated: true };
      case 'in_progress': {
        try {
          return { ...((await claim.wait()) as T), deduplicated: true };
        } catch (err) {
          throw new ServiceError(
            'upstream_failed',
            `The concurrent call with idempotency key "${key}" failed (${toServiceError(err).message})`,
            'Retry with the same key: nothing was sent',
            { retryable: true },
          );
        }
      }
      case 'conflict':
        throw new ServiceError('idempotency_conflict', `Idempotency key "${key}" cannot be reused here: ${claim.reason}`, 'Use a new idempotency_key for a different request');
      case 'stale':
        throw new ServiceError(
          'idempotency_unknown_outcome',
          `An earlier attempt with idempotency key "${key}" (started ${new Date(claim.since).toISOString()}) stopped before it finished; it may or may not have been sent`,
          'Check the chat with list_messages; if the message is missing, send it again with a new idempotency_key',
        );
    }
  }

  async sendText(input: SendTextInput): Promise<SendResult> {
    const { store } = this.deps;
    const chatId = store.identity.resolve(input.recipient);
    if (chatId === null) {
      throw invalidInput(
        `"${input.recipient}" is not a WhatsApp id or phone number`,
        'Pass a JID (…@s.whatsapp.net, …@g.us), a LID or a phone number with country code as recipient_jid',
      );
    }
    if (input.text.trim().length === 0) throw invalidInput('The message is empty', 'Pass the text to send in message');
    let quoted: string | undefined;
    if (input.quotedMessageId !== undefined) {
      const q = store.messages.get(input.quotedMessageId);
      if (!q) throw notFound(`No message with id ${input.quotedMessageId} to quote`, 'Take quoted_message_id from list_messages, or leave it out');
      if (q.chatId !== chatId) throw invalidInput('The quoted message belongs to another chat', 'Quote a message of the same chat, or leave quoted_message_id out');
      quoted = q.id;
    }
    const params = { recipient: chatId, message: input.text, quoted: quoted ?? null };
    const result = await this.once('send_message', input.idempotencyKey, params, () => this.sendDeduplicated(chatId, input.text, quoted));
    return { ...result, idempotencyKey: input.idempotencyKey ?? null };
  }

  /** The duplicate-text window: identical text to the same chat within the window → the first result. */
  private sendDeduplicated(chatId: string, text: string, quoted: string | undefined): Promise<SendResult> {
    const windowMs = this.deps.config.sending.dedupWindowMs;
    if (windowMs <= 0) return this.deliver(chatId, text, quoted);
    const now = Date.now();
    for (const [k, e] of this.window) if (now - e.at > windowMs) this.window.delete(k);
    const key = `${chatId}\u0000${quoted ?? ''}\u0000${text}`;
    const prior = this.window.get(key);
    if (prior) return prior.result.then((r) => ({ ...r, deduplicated: true }));
    requireOpen(this.deps.runtime); // fail fast without occupying the window
    const result = this.deliver(chatId, text, quoted);
    this.window.set(key, { at: now, result });
    result.catch(() => {
      if (this.window.get(key)?.result === result) this.window.delete(key);
    });
    return result;
  }

  private async deliver(chatId: string, text: string, quoted: string | undefined): Promise<SendResult> {
    requireOpen(this.deps.runtime);
    let sent: SentMessage;
    try {
      sent = await withTimeout(
        this.deps.gateway.sendText(chatId, text, quoted ? { quotedMessageId: quoted } : undefined),
        this.deps.sendTimeoutMs ?? 30_000,
        'WhatsApp (send)',
      );
    } catch (err) {
      const e = toServiceError(err, () => this.deps.runtime.getStatus());
      if (e.code === 'internal') {
        this.deps.logger.warn({ err, chatId }, 'send failed');
        throw new ServiceError('upstream_failed', 'WhatsApp did not accept the message', 'Retry in a moment; check check_auth_status if it keeps failing', {
          retryable: true,
          cause: err,
        });
      }
      throw e;
    }
    this.record(sent, text, quoted);
    return { messageId: sent.id, chatId: sent.chatId, timestamp: sent.timestamp, deduplicated: false, idempotencyKey: null };
  }

  /** Stores the sent message right away so reads see it (the engine's own echo merges into it later). */
  private record(sent: SentMessage, text: string, quoted: string | undefined): void {
    try {
      this.deps.store.messages.upsertMessages([
        {
          chatId: sent.chatId,
          keyId: sent.keyId,
          fromMe: true,
          timestamp: sent.timestamp,
          type: 'text',
          body: text,
          status: 'pending',
          quotedId: quoted ?? null,
        },
      ]);
      this.deps.onMessagesStored?.([sent.chatId]);
    } catch (err) {
      this.deps.logger.warn({ err }, 'storing the sent message failed');
    }
  }
}
