/**
 * Last-Event-ID resumption for one MCP session's SSE streams (the SDK transport's `EventStore`).
 *
 * Memory is bounded by bytes per session (`MCP_SSE_REPLAY_KB`): events are kept serialised, oldest
 * evicted first, so the worst case is that figure times `MCP_MAX_SESSIONS`, and the store dies with its
 * session. A client resuming from an evicted event gets what is still retained after it; a stream with
 * nothing retained is unknown (the transport answers 400) rather than silently empty.
 *
 * Event ids are `<seq>_<streamId>`: `seq` increases across the session, so order is total and parsing is
 * the first `_` (stream ids are UUIDs or the SDK's `_GET_stream`).
 */
import type { EventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

interface Stored {
  seq: number;
  streamId: string;
  /** null for the transport's priming event: it anchors a cursor, there is nothing to replay. */
  json: string | null;
  bytes: number;
}

/** Rough per-event overhead (object, id, stream id string) counted against the budget. */
const EVENT_OVERHEAD = 96;

export class BoundedEventStore implements EventStore {
  private readonly events: Stored[] = [];
  /** Index of the oldest live entry in `events` (evicted entries are compacted away in batches). */
  private head = 0;
  private seq = 0;
  private bytesUsed = 0;
  /** streamId → events retained on it. */
  private readonly streams = new Map<string, number>();

  constructor(private readonly maxBytes: number) {}

  /** Bytes and events currently retained (tests, metrics). */
  get size(): { bytes: number; events: number; oldestSeq: number | null } {
    return { bytes: this.bytesUsed, events: this.events.length - this.head, oldestSeq: this.events[this.head]?.seq ?? null };
  }

  storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    // The SDK stores its priming event as `{}`: no jsonrpc member, nothing a client should ever receive.
    return Promise.resolve(this.store(streamId, 'jsonrpc' in message ? JSON.stringify(message) : null));
  }

  /** A priming event id for `streamId`, synchronously (the GET stream is primed by us, see session-transport.ts). */
  prime(streamId: string): string {
    return this.store(streamId, null);
  }

  private store(streamId: string, json: string | null): string {
    const seq = ++this.seq;
    const bytes = EVENT_OVERHEAD + streamId.length + (json?.length ?? 0);
    this.events.push({ seq, streamId, json, bytes });
    this.bytesUsed += bytes;
    this.streams.set(streamId, (this.streams.get(streamId) ?? 0) + 1);
    this.evict();
    return `${seq}_${streamId}`;
  }

  getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const parsed = parse(eventId);
    return Promise.resolve(parsed && this.streams.has(parsed.streamId) ? parsed.streamId : undefined);
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const parsed = parse(lastEventId);
    if (!parsed || !this.streams.has(parsed.streamId)) return '';
    // Snapshot first: events stored while replaying are written live by the transport, not here.
    const due = this.events.slice(this.head).filter((e) => e.streamId === parsed.streamId && e.seq > parsed.seq && e.json !== null);
    for (const e of due) await send(`${e.seq}_${e.streamId}`, JSON.parse(e.json!) as JSONRPCMessage);
    return parsed.streamId;
  }

  private evict(): void {
    // Strict: an event bigger than the whole budget is not kept either (resuming past it answers 400).
    while (this.bytesUsed > this.maxBytes && this.head < this.events.length) {
      const old = this.events[this.head]!;
      this.head++;
      this.bytesUsed -= old.bytes;
      const left = (this.streams.get(old.streamId) ?? 1) - 1;
      if (left === 0) this.streams.delete(old.streamId);
      else this.streams.set(old.streamId, left);
    }
    if (this.head > 64 && this.head * 2 > this.events.length) {
      this.events.splice(0, this.head);
      this.head = 0;
    }
  }
}

function parse(eventId: string): { seq: number; streamId: string } | null {
  const i = eventId.indexOf('_');
  if (i <= 0) return null;
  const seq = Number(eventId.slice(0, i));
  const streamId = eventId.slice(i + 1);
  return Number.isSafeInteger(seq) && seq > 0 && streamId ? { seq, streamId } : null;
}
