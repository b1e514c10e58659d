/** What every service gets from the composition root. */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import type { WhatsAppGateway } from '../whatsapp/gateway.js';
import { AppError } from '../errors.js';
import { notConnected } from './errors.js';

export interface ServiceDeps {
  config: Pick<Config, 'sending' | 'mediaDir'> & Partial<Pick<Config, 'displayTimeZone'>>;
  runtime: Runtime;
  store: Store;
  gateway: WhatsAppGateway;
  logger: Logger;
  /** Live runtime settings (SPEC §5): `auto_select_contact`. Defaults apply when absent (unit tests). */
  settings?: { autoSelectContact(): boolean };
  /** Per-call timeout for live WhatsApp queries (ms). Default 10 000. */
  liveTimeoutMs?: number;
  /** Timeout for a send (ms). Default 30 000. */
  sendTimeoutMs?: number;
  /**
   * The owner's read rules (issue #15, the send gate): chats it hides are left out when a name, a bare
   * message id or a group name is resolved, so neither an answer nor an "ambiguous" error names them.
   */
  canRead?: (chatJid: string) => boolean;
}

/** Throws the "not connected (state…, retry in…)" error unless the lifecycle state is `open`. */
export function requireOpen(runtime: Runtime): void {
  const status = runtime.getStatus();
  if (status.state !== 'open') throw notConnected(status);
}

/**
 * Send safety under a WhatsApp restriction (issue #15): while WhatsApp refuses our sends with 429 (rate
 * overlimit) every send waits until it ends; under 463 (reachout timelock) or an account restriction only a
 * first message to a chat with no stored history is refused — replies in existing chats carry the privacy
 * token WhatsApp needs and still go out. Retrying early would count as another reach-out, so the error is
 * retryable with `retryAfterMs` at the restriction's end.
 */
export function requireMayWrite(deps: Pick<ServiceDeps, 'runtime' | 'store'>, chatId: string, now = Date.now()): void {
  const r = deps.runtime.getSummary(now).restriction;
  if (!r) return;
  const isNewChat = deps.store.messages.list(chatId, { limit: 1 }).items.length === 0;
  if (r.kind !== 'rate_overlimit' && !isNewChat) return;
  const until = r.until === null ? '' : ` until ${new Date(r.until).toISOString()}`;
  const why = r.kind === 'rate_overlimit' ? `WhatsApp is rate-limiting this account's sends (429)${until}` : `WhatsApp restricts messages to new contacts (${r.kind === 'reachout_timelock' ? '463 reachout timelock' : 'account restricted'})${until}; this chat has no history yet`;
  throw new AppError('rate_limited', `Not sent: ${why}`, r.kind === 'rate_overlimit' ? 'Wait until then and retry' : 'Reply in an existing chat, or retry after the restriction ends (retrying earlier makes it worse)', {
    retryable: true,
    ...(r.until === null ? {} : { retryAfterMs: Math.max(0, r.until - now) }),
  });
}
