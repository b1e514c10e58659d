/**
 * The process entry: config → logger → the composition root (src/app.ts) → listen; graceful stop on
 * SIGTERM/SIGINT. Nothing else in the code base reads process.env.
 */
import { ConfigError, loadConfig } from './config.js';
import { childLogger, createRootLogger } from './logger.js';
import { createApp } from './app.js';
import { routeConsoleToLogger } from './util/console-capture.js';

async function main(): Promise<void> {
  // Every file this process creates is the owner's alone (the store holds the WhatsApp keys).
  process.umask(0o077);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const root = createRootLogger({ level: config.logLevel, stdio: config.stdio });
  // Libraries that print (libsignal dumps whole Signal sessions, keys included) go through the logger at
  // debug with their arguments reduced to type names, in every mode: nothing reaches stdout/stderr raw.
  routeConsoleToLogger(childLogger(root, 'baileys'));
  const log = childLogger(root, 'main');
  const app = createApp(config, root);
  if (config.stdio) {
    // Desktop clients spawn us per session; the admin UI (QR pairing) is still served when the port is
    // free, and a busy port must not stop the stdio server.
    try {
      await app.start();
    } catch (err) {
      log.warn({ err }, 'HTTP server not started (port busy?); serving MCP over stdio only');
    }
    const { closed } = await app.startStdio();
    void closed.then(() => shutdown('stdin closed'));
  } else {
    await app.start();
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
