/** What the MCP layer gets from the composition root: process-wide services shared by every session. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/index.js';
import type { SettingsStore } from '../settings/index.js';
import type { Store } from '../store/index.js';
import type { WhatsAppGateway } from '../whatsapp/gateway.js';

export interface McpDeps {
  config: Config;
  runtime: Runtime;
  store: Store;
  gateway: WhatsAppGateway;
  logger: Logger;
  /** Live runtime settings (`auto_select_contact`); defaults apply when absent. */
  settings?: Pick<SettingsStore, 'autoSelectContact'>;
  /**
   * Registers tools owned by other modules (e.g. the media tools) on each session's server, next to the
   * 26 core tools. Must only call `server.registerTool` (it is also run once against a collector to build
   * the cached `tools/list`).
   */
  extraTools?: (server: McpServer) => void;
}
