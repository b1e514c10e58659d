/**
 * Standalone stdio entry (`node --import tsx src/mcp/stdio-main.ts`, or `node dist/src/mcp/stdio-main.js`):
 * the composition root with an idle engine (no WhatsApp socket, no HTTP listener), so desktop clients
 * and tests can read the stored history. The full server's `--stdio` mode goes through main.ts instead.
 */
import { createApp } from '../app.js';
import { loadConfig, ConfigError } from '../config.js';
import { childLogger, createRootLogger } from '../logger.js';
import { idleEngine } from '../runtime/engine.js';
import { routeConsoleToLogger } from '../util/console-capture.js';

async function main(): Promise<void> {
  process.umask(0o077);
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
  routeConsoleToLogger(childLogger(root, 'baileys'));
  const app = createApp(config, root, { engine: idleEngine });
  const { closed } = await app.startStdio();
  const stop = async () => {
    await app.stop();
    process.exit(0);
  };
  void closed.then(stop);
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
