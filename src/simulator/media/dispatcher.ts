import { request } from 'node:http';

/** Where WhatsApp's media CDN lives for Baileys (`DEF_MEDIA_HOST`): direct paths resolve against it. */
export const WA_MEDIA_HOST = 'mmg.whatsapp.net';

/** What Node's fetch hands a dispatcher (undici `Dispatcher.DispatchOptions`, the part we use). */
interface DispatchOptions {
  origin?: string | URL;
  path: string;
  method?: string;
  headers?: Record<string, string | string[] | undefined> | (string | Buffer)[] | null;
}

/** The callback-style handler Node 20's fetch (undici 6) passes to `dispatch`. */
interface DispatchHandler {
  onConnect?(abort: (err?: Error) => void): void;
  onResponseStarted?(): void;
  onHeaders?(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean | undefined;
  onData?(chunk: Buffer): boolean | undefined;
  onComplete?(trailers: Buffer[] | null): void;
  onError?(err: Error): void;
}

function headersOf(raw: DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i])] = String(raw[i + 1]);
    return out;
  }
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * A minimal undici-compatible dispatcher for Baileys' `options.dispatcher` (passed to every `fetch`
 * Baileys makes: media and history-sync downloads). It stands in for DNS and TLS of WhatsApp's media
 * CDN: `https://mmg.whatsapp.net/<directPath>` is served by the simulator's local media host, and so
 * is the host's own `http://127.0.0.1:<port>` base. Every other origin is refused, so a socket in
 * simulator mode never reaches the internet through it.
 *
 * Only GET/HEAD and the callback handler API of Node 20's fetch (undici 6) are implemented; a handler
 * without it fails loudly rather than hanging.
 */
export class SimulatorMediaDispatcher {
  constructor(private readonly base: () => string) {}

  dispatch(opts: DispatchOptions, handler: DispatchHandler): boolean {
    let done = false;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      handler.onError?.(err);
    };
    if (typeof handler.onHeaders !== 'function' || typeof handler.onData !== 'function') {
      queueMicrotask(() => fail(new Error('simulator media dispatcher: unsupported undici handler API')));
      return true;
    }
    const target = new URL(this.base());
    let url: URL;
    try {
      url = new URL(opts.path, opts.origin);
    } catch (err) {
      queueMicrotask(() => fail(err instanceof Error ? err : new Error(String(err))));
      return true;
    }
    const method = (opts.method ?? 'GET').toUpperCase();
    if ((url.host !== WA_MEDIA_HOST && url.host !== target.host) || (method !== 'GET' && method !== 'HEAD')) {
      queueMicrotask(() => fail(new Error(`simulator: refusing ${method} ${url.origin} (simulator mode reaches no other host)`)));
      return true;
    }
    const req = request({ host: target.hostname, port: target.port, path: url.pathname + url.search, method, headers: headersOf(opts.headers) });
    handler.onConnect?.(err => {
      req.destroy();
      fail(err ?? new Error('aborted'));
    });
    req.on('response', res => {
      if (done) return void res.destroy();
      handler.onResponseStarted?.();
      const raw = res.rawHeaders.map(h => Buffer.from(h, 'latin1'));
      if (handler.onHeaders?.(res.statusCode ?? 502, raw, () => res.resume(), res.statusMessage ?? '') === false) res.pause();
      res.on('data', (chunk: Buffer) => {
        if (!done && handler.onData?.(chunk) === false) res.pause();
      });
      res.on('end', () => {
        if (done) return;
        done = true;
        handler.onComplete?.([]);
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
    return true;
  }

  async close(): Promise<void> {}

  async destroy(): Promise<void> {}
}
