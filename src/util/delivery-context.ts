/**
 * The WhatsApp message id a delivery must use, carried through the async call chain (issue #15).
 *
 * A write delivered from the outbox is retried after a crash; giving every attempt the same message id
 * (derived from its send id) makes the retry the same message to WhatsApp and to the recipient's phone,
 * which keep one message per id, so "sent once" holds even when the crash fell between the socket write
 * and our commit. The tool code in between stays unaware of it: only the socket adapter reads it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';

const current = new AsyncLocalStorage<{ id: string; taken: boolean }>();

/** The message id of the outbox write `sendId` (same shape as WhatsApp Web's: 3EB0 + upper-case hex). */
export function messageIdFor(sendId: string): string {
  return `3EB0${createHash('sha256').update(sendId).digest('hex').slice(0, 36).toUpperCase()}`;
}

/** Runs `fn` so that the first message it sends carries the id derived from `sendId`. */
export function withDeliveryId<T>(sendId: string, fn: () => Promise<T>): Promise<T> {
  return current.run({ id: messageIdFor(sendId), taken: false }, fn);
}

/** For the socket adapter: the id for the message being sent now, once per delivery (later sends get their own). */
export function takeDeliveryId(): string | undefined {
  const c = current.getStore();
  if (!c || c.taken) return undefined;
  c.taken = true;
  return c.id;
}
