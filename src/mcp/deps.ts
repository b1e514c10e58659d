/** What the MCP layer gets from the composition root: process-wide services shared by every session. */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { MediaService } from '../media/index.js';
import type { Runtime } from '../runtime/index.js';
import type { Services } from '../services/index.js';
import type { SendGate } from '../services/safety/gate.js';
import type { SettingsStore } from '../settings/index.js';
import type { Store } from '../store/index.js';

export interface McpDeps {
  config: Config;
  runtime: Runtime;
  /** For the notification hub's chat-id resolution (subscriptions by phone, LID or JID). */
  store: Store;
  logger: Logger;
  services: Services;
  media: MediaService;
  /** Live settings (`inline_image_max_mb` for get_media). Absent in harnesses: the config's values apply. */
  settings?: Pick<SettingsStore, 'get'>;
  /**
   * The send-safety gate (issue #15). The composition root always passes it; only harnesses that build the
   * MCP layer by hand (benchmarks, schema tests) leave it out, and then writes go straight to the tools.
   */
  safety?: SendGate;
}
