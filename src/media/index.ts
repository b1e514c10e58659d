/**
 * Media, settings and the admin data routes (placeholder until the media issue lands).
 * The composition root calls `createMediaServices(deps)` once and mounts what it returns:
 * `apiRouters` under /api behind the admin credential (JSON bodies up to 1 MB already parsed),
 * `rawRouters` at the root before any body parser, behind the Host check only (they authenticate
 * themselves: uploads accept the upload token, /media may use signed URLs).
 */
import type { Router } from 'express';
import type { SessionStore } from '../auth/sessions.js';
import type { Tokens } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import type { WhatsAppGateway } from '../whatsapp/gateway.js';

export interface MediaDeps {
  config: Config;
  store: Store;
  gateway: WhatsAppGateway;
  runtime: Runtime;
  tokens: Tokens;
  sessions: SessionStore;
  logger: Logger;
}

export interface MediaServices {
  apiRouters: Router[];
  rawRouters: Router[];
  /** Called by the adapter after messages are stored (auto-download). */
  onMessages(chatIds: string[]): void;
  close(): Promise<void>;
}

export function createMediaServices(_deps: MediaDeps): MediaServices {
  return { apiRouters: [], rawRouters: [], onMessages: () => {}, close: async () => {} };
}
