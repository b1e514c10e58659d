import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { SimulatorMediaDispatcher } from './dispatcher.js';
import { SIMULATOR_MEDIA_CERT, SIMULATOR_MEDIA_KEY } from './tls.js';

export const MEDIA_AUTH = 'simulator-media-auth';

/**
 * Local media host. Uploads arrive over HTTPS (Baileys forces `https://<media_conn host>`) with the
 * simulator's self-signed certificate; downloads are served over plain HTTP because Baileys
 * downloads with global `fetch`, which can only trust a custom CA through an undici dispatcher
 * (Utils/messages-media.js getHttpStream) and undici is not a dependency. Message media therefore
 * carries `http://127.0.0.1:<port>/m/<id>` URLs with no `direct_path`, which Baileys uses as is.
 * History-sync blobs can only be named by a direct path (their notification has no URL field):
 * Baileys fetches those from `https://mmg.whatsapp.net<directPath>` with the socket's
 * `options.dispatcher`, and the simulator's dispatcher (media/dispatcher.ts) routes that host here.
 */
export class MediaHost extends EventEmitter {
  private readonly blobs = new Map<string, Buffer>();
  /** Direct-path blobs, those downloaded at least once, and those to drop after their next download. */
  private readonly direct = new Set<string>();
  private readonly fetched = new Set<string>();
  private readonly releasable = new Set<string>();
  /** Give it to Baileys as `options.dispatcher` (simulatorSocketConfig does): routes the CDN host here. */
  readonly dispatcher = new SimulatorMediaDispatcher(() => this.downloadBase);
  private upload: Server | undefined;
  private download: Server | undefined;
  /** `127.0.0.1:<port>` as announced in `media_conn`. */
  uploadHost = '';
  downloadBase = '';

  async start(): Promise<void> {
    this.upload = createHttpsServer({ cert: SIMULATOR_MEDIA_CERT, key: SIMULATOR_MEDIA_KEY }, (req, res) => this.onUpload(req, res));
    this.download = createHttpServer((req, res) => this.onDownload(req, res));
    this.uploadHost = `127.0.0.1:${await listen(this.upload)}`;
    this.downloadBase = `http://127.0.0.1:${await listen(this.download)}`;
  }

  /** Stores an encrypted blob and returns the URL clients download it from. */
  put(file: Buffer): string {
    const id = createHash('sha256').update(file).digest('base64url');
    this.blobs.set(id, file);
    return `${this.downloadBase}/m/${id}`;
  }

  /**
   * Stores an encrypted blob under a WhatsApp-style direct path (`/v/t62.7117-24/<id>.enc?ccb=11-4`),
   * downloadable at `https://mmg.whatsapp.net<directPath>` through the simulator's dispatcher.
   */
  putDirect(file: Buffer): { id: string; directPath: string } {
    const id = createHash('sha256').update(file).digest('base64url');
    this.blobs.set(id, file);
    this.direct.add(id);
    return { id, directPath: `/v/t62.7117-24/${id}.enc?ccb=11-4` };
  }

  /** Drops a direct blob once it has been downloaded (now, if it already was). */
  release(id: string): void {
    if (this.fetched.has(id)) this.remove(id);
    else if (this.blobs.has(id)) this.releasable.add(id);
  }

  /** Forgets a blob. */
  remove(id: string): void {
    this.blobs.delete(id);
    this.direct.delete(id);
    this.fetched.delete(id);
    this.releasable.delete(id);
  }

  /** Blobs currently held. */
  get size(): number {
    return this.blobs.size;
  }

  /** The blob behind a URL or direct path this host handed out. */
  get(url: string | null | undefined): Buffer | undefined {
    const id = blobId(url);
    return id ? this.blobs.get(id) : undefined;
  }

  private onUpload(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (req.method !== 'POST' || url.searchParams.get('auth') !== MEDIA_AUTH) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const location = this.put(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: location }));
    });
  }

  private onDownload(req: IncomingMessage, res: ServerResponse): void {
    const id = blobId(req.url);
    const blob = id ? this.blobs.get(id) : undefined;
    if (!id || !blob) {
      res.writeHead(404).end();
      return;
    }
    res.once('finish', () => {
      if (this.releasable.has(id)) this.remove(id);
      else if (this.direct.has(id)) this.fetched.add(id);
      this.emit('downloaded', id);
    });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length }).end(blob);
  }

  async stop(): Promise<void> {
    await Promise.all([this.upload, this.download].map(server => close(server)));
  }
}

/** `/m/<id>` or `/v/<…>/<id>.enc?…` → `<id>`. */
function blobId(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  const path = url.split('?')[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  const id = last.endsWith('.enc') ? last.slice(0, -4) : last;
  return /^[A-Za-z0-9_-]{43}$/.test(id) ? id : undefined;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | undefined): Promise<void> {
  return new Promise(resolve => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/**
 * An HTTPS agent trusting only the simulator's media certificate. Pass it as Baileys'
 * `fetchAgent` in simulator mode (simulatorSocketConfig does) — never in production.
 */
export function simulatorMediaAgent(): Agent {
  return new Agent({ ca: SIMULATOR_MEDIA_CERT });
}
