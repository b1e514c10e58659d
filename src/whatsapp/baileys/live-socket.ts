/**
 * The one live Baileys socket of the adapter, shared by the lifecycle half (socket-lifecycle.ts, which
 * creates and ends sockets) and the live half (live-gateway.ts, media-download.ts, which use the open one).
 */
import type { WASocket } from '@whiskeysockets/baileys';
import type { EngineEvent } from '../../../machines/events.js';
import { NotConnectedError } from '../gateway.js';

export interface LiveSocket {
  sock: WASocket;
  /** The event sink of the worker that created this socket: its events never reach a later worker. */
  emit: (e: EngineEvent) => void;
  open: boolean;
  selfInflicted: boolean;
  closed: Promise<void>;
}

export class SocketSlot {
  current: LiveSocket | null = null;

  /** The open socket, or NotConnectedError (services check the lifecycle first; this is the backstop). */
  openSocket(): WASocket {
    if (!this.current?.open) throw new NotConnectedError();
    return this.current.sock;
  }
}

/** Boom's status code on a Baileys error (close reasons, iq errors). */
export function statusCodeOf(err: unknown): number | undefined {
  const e = err as { output?: { statusCode?: number } } | undefined;
  return e?.output?.statusCode;
}
