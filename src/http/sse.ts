/** Server-sent events for the admin streams (`/api/state/stream`, `/api/chats/events`). */
import type { Response } from 'express';

/** Starts an event stream: headers out at once (proxies must not buffer it), reconnect after 2 s. */
export function startSse(res: Response): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write('retry: 2000\n\n');
}

/** One named event with a JSON payload. */
export function sendSse(res: Response, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
