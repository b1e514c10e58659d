/**
 * Chooses and builds the WhatsApp backend for the composition root:
 * - an external simulator instance (tests) or WA_SIMULATOR=1 (an in-process simulator on a free
 *   loopback port, its state kept in DATA_DIR so a restart of the demo stays paired);
 * - WA_SOCKET_URL (any compatible server);
 * - otherwise WhatsApp itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UserFacingSocketConfig, WASocket } from '@whiskeysockets/baileys';
import type { Config } from '../config.js';
import type { AccountEvent } from '../../machines/events.js';
import type { Logger } from '../logger.js';
import { simulatorSocketConfig, startSimulator, trustSimulatorRoot, type Simulator, type SimulatorStateSnapshot } from '../simulator/index.js';
import type { Store } from '../store/index.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { createBaileysEngine } from './baileys-engine.js';
import type { EngineFactory } from '../runtime/engine.js';
import type { WhatsAppGateway } from './gateway.js';

export interface Backend {
  factory: EngineFactory;
  gateway: WhatsAppGateway;
  simulator: Simulator | null;
  stop(): Promise<void>;
}

export async function createBackend(opts: {
  config: Config;
  store: Store;
  logger: Logger;
  baileysLogger: Logger;
  simulator?: Simulator;
  socketConfig?: Partial<UserFacingSocketConfig>;
  onMessages?: (chatIds: string[]) => void;
  onAccount?: (event: AccountEvent) => void;
  /** The live `link_method` setting (issue #14); LINK_METHOD from the config when not given. */
  linkMethod?: () => 'qr' | 'code';
}): Promise<Backend> {
  const { config, logger: log } = opts;
  let sim: Simulator | null = opts.simulator ?? null;
  let ownsSimulator = false;
  const statePath = join(config.dataDir, 'simulator-state.json');
  let untrust: (() => void) | null = null;

  if (!sim && config.whatsapp.simulator) {
    let state: SimulatorStateSnapshot | undefined;
    if (existsSync(statePath)) {
      try {
        state = JSON.parse(readFileSync(statePath, 'utf8')) as SimulatorStateSnapshot;
      } catch (err) {
        log.warn({ err }, 'simulator state unreadable; starting a fresh simulator');
      }
    }
    sim = await startSimulator({
      seed: 42,
      state,
      autoPair: config.whatsapp.simulatorAutopair ? { delayMs: 1_500 } : false,
      groups: 3,
      contacts: 8,
      history: { chats: 12, messagesPerChat: 25 },
    });
    ownsSimulator = true;
    log.warn({ url: sim.url }, 'WA_SIMULATOR=1: connecting to the built-in WhatsApp simulator, not to WhatsApp');
  }
  if (sim) untrust = trustSimulatorRoot();

  const saveSimState = () => {
    if (ownsSimulator && sim) writeFileAtomic(statePath, JSON.stringify(sim.exportState()));
  };
  if (ownsSimulator && sim) {
    sim.on('paired', saveSimState);
    sim.on('login', saveSimState);
  }

  const socketConfig: Partial<UserFacingSocketConfig> = sim
    ? simulatorSocketConfig(sim, opts.socketConfig)
    : { ...(config.whatsapp.socketUrl ? { waWebSocketUrl: config.whatsapp.socketUrl } : {}), ...opts.socketConfig };

  const engine = createBaileysEngine({
    store: opts.store,
    logger: log,
    baileysLogger: opts.baileysLogger,
    socketConfig,
    onSocket: sim ? (sock: WASocket) => sim!.watch(sock) : undefined,
    onMessages: opts.onMessages,
    onAccount: opts.onAccount,
    linkMethod: opts.linkMethod ?? (() => config.whatsapp.linkMethod),
  });

  return {
    factory: engine.factory,
    gateway: engine.gateway,
    simulator: sim,
    async stop() {
      await engine.shutdown();
      if (ownsSimulator && sim) {
        saveSimState();
        await sim.stop();
      }
      untrust?.();
    },
  };
}
