import { EventEmitter } from 'node:events';
import { decodeBinaryNode, encodeBinaryNode, type BinaryNode, proto } from '@whiskeysockets/baileys';
import type { RawData, WebSocket } from 'ws';
import { encodeFrame, FrameReader } from './transport/frames.js';
import { NoiseResponder } from './transport/noise.js';
import type { TestPki } from './pki.js';
import type { DeviceRecord } from './state.js';
import type { SimulatorLogger } from './types.js';

export interface ConnectionHandlers {
  onAuthenticated(conn: ClientConnection, payload: proto.ClientPayload): void;
  onNode(conn: ClientConnection, node: BinaryNode): void;
  onClosed(conn: ClientConnection): void;
}

let connectionCounter = 0;

/**
 * One client WebSocket: noise handshake, then encrypted binary nodes. Knows nothing about
 * WhatsApp semantics; the session layer decides what a node means. Also implements the
 * transport-level faults (silence, slow answers).
 */
export class ClientConnection extends EventEmitter {
  readonly id = ++connectionCounter;
  private readonly frames = new FrameReader();
  private readonly noise: NoiseResponder;
  private phase: 'hello' | 'finish' | 'open' = 'hello';
  private closed = false;
  private readonly pending = new Map<string, (node: BinaryNode) => void>();
  private serverTag = 0;
  /** Drop every outgoing frame (keep-alive loss). */
  silenced = false;
  /** Delay every outgoing frame by this many ms. */
  delayMs = 0;
  clientStatic: Buffer | undefined;
  payload: proto.ClientPayload | undefined;
  device: DeviceRecord | undefined;
  /** Pairing refs handed to this (unpaired) connection. */
  refs: string[] = [];
  /** Serializes inbound frames: noise decryption counters must advance in order. */
  private inbound: Promise<void> = Promise.resolve();
  /** Keeps outgoing order even when some sends are delayed. */
  private outbound: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    pki: TestPki,
    private readonly handlers: ConnectionHandlers,
    private readonly logger: SimulatorLogger,
  ) {
    super();
    this.noise = new NoiseResponder(pki.leaf, pki.certChain);
    ws.on('message', (data: RawData) => {
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      this.inbound = this.inbound.then(() => this.receive(chunk)).catch(err => {
        this.logger.warn({ err, conn: this.id }, 'simulator: dropping connection after bad frame');
        this.terminate();
      });
    });
    ws.on('close', () => this.markClosed());
    ws.on('error', () => this.markClosed());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get authenticated(): boolean {
    return this.phase === 'open';
  }

  private async receive(chunk: Buffer): Promise<void> {
    for (const frame of this.frames.push(chunk)) {
      if (this.closed) return;
      if (this.phase === 'hello') {
        const hello = this.noise.respondToHello(this.frames.header ?? Buffer.alloc(0), frame);
        this.phase = 'finish';
        this.writeRaw(encodeFrame(hello));
      } else if (this.phase === 'finish') {
        const { clientStaticPublic, payload } = this.noise.finish(frame);
        this.clientStatic = clientStaticPublic;
        this.payload = payload;
        this.phase = 'open';
        this.handlers.onAuthenticated(this, payload);
      } else {
        const node = await decodeBinaryNode(this.noise.decrypt(frame));
        this.route(node);
      }
    }
  }

  private route(node: BinaryNode): void {
    const id = node.attrs.id;
    if (node.tag === 'iq' && id && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
      const resolve = this.pending.get(id);
      if (resolve) {
        this.pending.delete(id);
        resolve(node);
        return;
      }
    }
    this.handlers.onNode(this, node);
  }

  /** Encrypts and sends a node; silently dropped while silenced or after close. */
  send(node: BinaryNode): void {
    if (this.closed || this.phase !== 'open') return;
    if (this.silenced) return;
    const write = (): void => {
      if (this.closed || this.silenced) return;
      this.writeRaw(encodeFrame(this.noise.encrypt(encodeBinaryNode(node))));
    };
    if (this.delayMs > 0) {
      const delay = this.delayMs;
      this.outbound = this.outbound.then(() => new Promise<void>(resolve => setTimeout(resolve, delay))).then(write);
    } else {
      this.outbound = this.outbound.then(write);
    }
  }

  /** Server-originated iq; resolves with the client's result/error node. */
  query(node: BinaryNode, timeoutMs = 10_000): Promise<BinaryNode> {
    const id = node.attrs.id ?? `sim-${this.id}-${++this.serverTag}`;
    node.attrs.id = id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`client did not answer iq ${id}`));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, reply => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.send(node);
    });
  }

  nextTag(): string {
    return `sim-${this.id}-${++this.serverTag}`;
  }

  /** Sends the node (if any) then closes the socket once it is flushed. */
  end(last?: BinaryNode): void {
    if (this.closed) return;
    if (last) this.send(last);
    this.outbound = this.outbound.then(() => {
      if (!this.closed) this.ws.close();
    });
  }

  /** Abrupt close without a closing handshake (network cut). */
  terminate(): void {
    if (this.closed) return;
    this.ws.terminate();
    this.markClosed();
  }

  private writeRaw(bytes: Buffer): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(bytes);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    this.handlers.onClosed(this);
  }
}
