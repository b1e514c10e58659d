/**
 * Standalone stdio entry (`node --import tsx src/mcp/stdio-main.ts`, or `node dist/src/mcp/stdio-main.js`):
 * builds its own deps over DATA_DIR with an idle engine (no WhatsApp socket), so desktop clients and
 * tests can read the stored history. The full server's `--stdio` mode goes through main.ts instead.
 */
import { loadConfig, ConfigError } from '../config.js';
import { childLogger, createRootLogger } from '../logger.js';
import { createRuntime } from '../runtime/index.js';
import { openStore } from '../store/index.js';
import { disconnectedGateway } from '../whatsapp/disconnected-gateway.js';
import { idleEngine } from '../whatsapp/engine.js';
import { mkdirSync } from 'node:fs';
import { runStdio } from './stdio.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, ['--stdio']);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const root = createRootLogger({ level: config.logLevel, stdio: true });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = openStore(config.dbPath);
  const runtime = createRuntime({ lifecycle: config.lifecycle, engine: idleEngine, logger: childLogger(root, 'runtime') });
  runtime.start();
  const stdio = await runStdio({ config, runtime, store, gateway: disconnectedGateway(), logger: childLogger(root, 'mcp') });
  const stop = async () => {
    await stdio.close();
    runtime.stop();
    store.close();
    process.exit(0);
  };
  void stdio.closed.then(stop);
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
