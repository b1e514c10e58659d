import type { UserFacingSocketConfig, WAVersion } from '@whiskeysockets/baileys';
import type { SimulatorMediaDispatcher } from './media/dispatcher.js';
import { simulatorMediaAgent } from './media/host.js';
import type { Simulator } from './simulator.js';

/** The version Baileys rc14 ships with; fixed so nothing fetches it over the network. */
export const SIMULATOR_WA_VERSION: WAVersion = [2, 3000, 1043857760];

/**
 * Baileys socket settings that point at the simulator with short timeouts. Spread it into
 * `makeWASocket({ ...simulatorSocketConfig(sim), auth, logger })`; overrides win.
 */
export function simulatorSocketConfig(
  sim: Pick<Simulator, 'url' | 'media'>,
  overrides: Partial<UserFacingSocketConfig> = {},
): Partial<UserFacingSocketConfig> {
  // Every fetch Baileys makes (history-sync blobs at https://mmg.whatsapp.net<directPath>) goes to
  // the simulator's media host and nowhere else: Node's fetch honours `dispatcher`, which Baileys
  // forwards from `options` (Utils/messages-media.js getHttpStream); the DOM RequestInit type omits it.
  const fetchOptions: RequestInit & { dispatcher: SimulatorMediaDispatcher } = { dispatcher: sim.media.dispatcher };
  return {
    waWebSocketUrl: sim.url,
    version: SIMULATOR_WA_VERSION,
    connectTimeoutMs: 5_000,
    defaultQueryTimeoutMs: 5_000,
    keepAliveIntervalMs: 10_000,
    qrTimeout: 20_000,
    markOnlineOnConnect: false,
    // Trusts the simulator's self-signed media host for uploads; only ever set in simulator mode.
    fetchAgent: simulatorMediaAgent(),
    options: fetchOptions,
    ...overrides,
  };
}
