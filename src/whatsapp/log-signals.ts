/**
 * Baileys reports app-state corruption only in its logs (no event). This module wraps the logger we
 * hand to Baileys and turns those lines into signals for the lifecycle machine.
 *
 * Structure first: rc14's sync loop logs `{ name, attempt, version, errorType, … }` with a message; a
 * warn-level line with a collection `name` and an `attempt` that says it parked or gave up is terminal
 * for that collection. Wording is the fallback for lines without that structure (other code paths,
 * future versions): "failed to find key … to decode mutation|patch", "blocked on missing key",
 * "parking after N attempts", "failed to sync <name> … giving up". Intermediate info-level retries
 * ("retrying with snapshot", "forcing snapshot retry") are Baileys healing itself and are not signals.
 */
import { ALL_WA_PATCH_NAMES } from '@whiskeysockets/baileys';
import type { Logger } from '../logger.js';

export interface AppStateSignal {
  collection: string;
  detail: string;
}

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const SEVERE: ReadonlySet<Level> = new Set(['warn', 'error']);
const COLLECTIONS: ReadonlySet<string> = new Set(ALL_WA_PATCH_NAMES);

const TERMINAL = /(parking after \d+ attempts|giving up)/i;
const WORDING = [
  /failed to find key "?[^"\s]*"? to decode (mutation|patch)/i,
  /blocked on missing key/i,
  /parking after \d+ attempts/i,
  /failed to sync \S+ .*giving up/i,
];
const NAME_IN_TEXT = /^(?:failed to sync )?([a-z_]+) (?:blocked on missing key|from v)/i;

function collectionFromText(text: string): string | null {
  const m = NAME_IN_TEXT.exec(text) ?? /failed to sync ([a-z_]+)/i.exec(text);
  const name = m?.[1];
  return name && COLLECTIONS.has(name) ? name : null;
}

/** Classifies one Baileys log call; null when it is not an app-state failure. */
export function detectAppStateFailure(level: Level, obj: unknown, msg: string | undefined): AppStateSignal | null {
  if (!SEVERE.has(level)) return null;
  const text = msg ?? (typeof obj === 'string' ? obj : '');
  const data = obj && typeof obj === 'object' ? (obj as Record<string, unknown>) : {};
  const name = typeof data.name === 'string' ? data.name : null;
  if (name && COLLECTIONS.has(name) && typeof data.attempt === 'number' && TERMINAL.test(text)) {
    return { collection: name, detail: text };
  }
  const errText = typeof data.error === 'string' ? data.error : data.err instanceof Error ? data.err.message : '';
  const haystack = `${text}\n${errText}`;
  if (WORDING.some((re) => re.test(haystack))) {
    return { collection: name && COLLECTIONS.has(name) ? name : (collectionFromText(text) ?? 'all'), detail: text || errText };
  }
  return null;
}

/** The logger interface Baileys expects (its ILogger). */
export interface BaileysLogger {
  level: string;
  child(obj: Record<string, unknown>): BaileysLogger;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** Wraps a pino logger for Baileys: logs pass through unchanged, app-state failures also go to `onSignal`. */
export function signallingLogger(base: Logger, onSignal: (s: AppStateSignal) => void): BaileysLogger {
  const wrap = (log: Logger): BaileysLogger => {
    const call = (level: Level) => (obj: unknown, msg?: string) => {
      const signal = detectAppStateFailure(level, obj, msg);
      if (signal) onSignal(signal);
      if (msg === undefined) log[level](obj as object);
      else log[level](obj as object, msg);
    };
    return {
      get level() {
        return log.level;
      },
      set level(l: string) {
        log.level = l;
      },
      child: (obj) => wrap(log.child(obj)),
      trace: call('trace'),
      debug: call('debug'),
      info: call('info'),
      warn: call('warn'),
      error: call('error'),
    };
  };
  return wrap(base);
}
