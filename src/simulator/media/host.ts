import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { SIMULATOR_MEDIA_CERT, SIMULATOR_MEDIA_KEY } from './tls.js';

export const MEDIA_AUTH = 'simulator-media-auth';

/**
 * Local media host. Uploads arrive over HTTPS (Baileys forces `https://<media_conn host>`) with the
 * simulator's self-signed certificate; downloads are served over plain HTTP because Baileys
 * downloads with global `fetch`, which can only trust a custom CA through an undici dispatcher
 * (Utils/messages-media.js getHttpStream) and undici is not a dependency. Every URL the host hands
 * out is therefore `http://127.0.0.1:<port>/m/<id>` with no `direct_path`, so Baileys uses it as is.
 */
export class MediaHost {
  private readonly blobs = new Map<string, Buffer>();
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

  /** The blob behind a URL this host handed out. */
  get(url: string | null | undefined): Buffer | undefined {
    const id = url?.split('/m/')[1]?.split('?')[0];
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
    const blob = this.get(req.url);
    if (!blob) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length }).end(blob);
  }

  async stop(): Promise<void> {
    await Promise.all([this.upload, this.download].map(server => close(server)));
  }
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
