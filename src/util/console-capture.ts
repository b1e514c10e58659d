/**
 * Libraries that print to the console (libsignal logs whole Signal sessions — root and chain keys,
 * private ratchet keys — with `console.info("Closing session:", session)`) must never reach stdout or
 * stderr, in HTTP mode (container logs) or stdio mode (stdout is JSON-RPC). Every console method is
 * routed to a pino logger at debug, and each argument is reduced to a summary that carries no data:
 * strings are kept (they are the libraries' own messages), objects and buffers become their type name
 * and size, errors their message.
 */
import type { Logger } from '../logger.js';

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** A data-free description of one console argument. */
export function summarizeArg(arg: unknown): string {
  if (typeof arg === 'string') return arg.length > 200 ? `${arg.slice(0, 200)}…` : arg;
  if (typeof arg === 'number' || typeof arg === 'boolean' || arg === null || arg === undefined) return String(arg);
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  if (Buffer.isBuffer(arg) || arg instanceof Uint8Array) return `[${arg.constructor.name} ${arg.byteLength} bytes]`;
  if (Array.isArray(arg)) return `[Array(${arg.length})]`;
  if (typeof arg === 'object') return `[${(arg as object).constructor?.name ?? 'Object'}]`;
  return `[${typeof arg}]`;
}

/** Replaces the console methods for the rest of the process; returns a function that restores them. */
export function routeConsoleToLogger(logger: Logger): () => void {
  const saved = METHODS.map((m) => [m, console[m]] as const);
  for (const m of METHODS) {
    console[m] = (...args: unknown[]) => {
      if (!logger.isLevelEnabled('debug')) return;
      logger.debug({ console: m }, args.map(summarizeArg).join(' '));
    };
  }
  return () => {
    for (const [m, fn] of saved) console[m] = fn;
  };
}
