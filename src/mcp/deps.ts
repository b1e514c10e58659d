/** What the MCP layer gets from the composition root: process-wide services shared by every session. */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import type { WhatsAppGateway } from '../whatsapp/gateway.js';

export interface McpDeps {
  config: Config;
  runtime: Runtime;
  store: Store;
  gateway: WhatsAppGateway;
  logger: Logger;
}
