/** What every service gets from the composition root. */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import type { WhatsAppGateway } from '../whatsapp/gateway.js';
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
}

/** Throws the "not connected (state…, retry in…)" error unless the lifecycle state is `open`. */
export function requireOpen(runtime: Runtime): void {
  const status = runtime.getStatus();
  if (status.state !== 'open') throw notConnected(status);
}
