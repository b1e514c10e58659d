import type { UserFacingSocketConfig, WAVersion } from '@whiskeysockets/baileys';
import { simulatorMediaAgent } from './media/host.js';
import type { Simulator } from './simulator.js';

/** The version Baileys rc14 ships with; fixed so nothing fetches it over the network. */
const SIMULATOR_WA_VERSION: WAVersion = [2, 3000, 1043857760];

/**
 * Baileys socket settings that point at the simulator with short timeouts. Spread it into
 * `makeWASocket({ ...simulatorSocketConfig(sim), auth, logger })`; overrides win.
 */
export function simulatorSocketConfig(
  sim: Pick<Simulator, 'url'>,
  overrides: Partial<UserFacingSocketConfig> = {},
): Partial<UserFacingSocketConfig> {
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
    ...overrides,
  };
}
