/**
 * Root pino logger and named child loggers, one per subsystem (`logger.child({ subsystem })`).
 * stdout normally; stderr in stdio mode, where stdout belongs to JSON-RPC.
 * Message bodies and tokens are never logged above debug.
 */
import { destination, pino, stdTimeFunctions, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export type Subsystem = 'main' | 'http' | 'mcp' | 'runtime' | 'whatsapp' | 'baileys' | 'store' | 'media' | 'simulator' | 'auth' | 'settings' | 'services' | 'safety';

export function createRootLogger(opts: { level: LevelWithSilent; stdio: boolean }): Logger {
  return pino(
    {
      level: opts.level,
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      // Defence in depth: even a careless `log.info({ headers })` never prints a credential.
      redact: {
        paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'headers.cookie', 'req.headers.authorization', 'req.headers.cookie'],
        censor: '[redacted]',
      },
    },
    destination({ fd: opts.stdio ? 2 : 1, sync: false }),
  );
}

export function childLogger(root: Logger, subsystem: Subsystem): Logger {
  return root.child({ subsystem });
}

/** A logger that prints nothing: for tests and library callers that bring no logger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
