/**
 * Sending text (SPEC §3 "Send safety"): sending requires the `open` state; idempotency keys (./idempotency.ts);
 * the duplicate-text window (identical text to the same chat within `dedupWindowMs` returns the first
 * result). The sent message is stored by the adapter, the only writer of what the socket reports, so a
 * send makes exactly one write and one `resources/updated` notification.
 */
import type { SentMessage } from '../whatsapp/gateway.js';
import { requireMayWrite, requireOpen, type ServiceDeps } from './context.js';
import { AppError, invalidInput, notFound, withTimeout } from '../errors.js';
import { toAppError } from './errors.js';
import type { Idempotency } from './idempotency.js';
import { resolveRecipient } from './recipient.js';

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

export class SendingService {
  private readonly window = new Map<string, WindowEntry>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly idempotency: Idempotency,
  ) {}

  async sendText(input: SendTextInput): Promise<SendResult> {
    const { store } = this.deps;
    const chatId = resolveRecipient(store, input.recipient);
    if (input.text.trim().length === 0) throw invalidInput('The message is empty', 'Pass the text to send in message');
    let quoted: string | undefined;
    if (input.quotedMessageId !== undefined) {
      // Outputs show bare key ids: a bare id is taken in the recipient's chat.
      const qid = input.quotedMessageId.includes(':') ? input.quotedMessageId : `${chatId}:${input.quotedMessageId.trim()}`;
      const q = store.messages.get(qid);
      if (!q) throw notFound(`No message with id ${input.quotedMessageId} to quote`, 'Take quoted_message_id from list_messages, or leave it out');
      if (q.chatId !== chatId) throw invalidInput('The quoted message belongs to another chat', 'Quote a message of the same chat, or leave quoted_message_id out');
      quoted = q.id;
    }
    const params = { recipient: chatId, message: input.text, quoted: quoted ?? null };
    // A caller that passes its own idempotency key has said which sends are distinct: a new key sends even
    // text identical to a moment ago (the duplicate-text window only guards keyless retries).
    const result = await this.idempotency.once('send_message', input.idempotencyKey, params, () =>
      input.idempotencyKey === undefined ? this.sendDeduplicated(chatId, input.text, quoted) : this.deliver(chatId, input.text, quoted),
    );
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
    requireMayWrite(this.deps, chatId);
    let sent: SentMessage;
    try {
      sent = await withTimeout(
        this.deps.gateway.sendText(chatId, text, quoted ? { quotedMessageId: quoted } : undefined),
        this.deps.sendTimeoutMs ?? 30_000,
        'WhatsApp (send)',
      );
    } catch (err) {
      const e = toAppError(err, () => this.deps.runtime.getStatus());
      if (e.code === 'internal') {
        this.deps.logger.warn({ err, chatId }, 'send failed');
        throw new AppError('upstream_failed', 'WhatsApp did not accept the message', 'Retry in a moment; check check_auth_status if it keeps failing', {
          retryable: true,
          cause: err,
        });
      }
      throw e;
    }
    return { messageId: sent.id, chatId: sent.chatId, timestamp: sent.timestamp, deduplicated: false, idempotencyKey: null };
  }
}
