/** Formatting helpers shared by the views (pure: unit-tested in test/ui/format.test.ts). */

/** "4 s", "2 min 05 s", "1 h 03 min" — for countdowns and periods. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  if (total < 60) return `${total} s`;
  const m = Math.floor(total / 60);
  const sec = total % 60;
  if (m < 60) return `${m} min ${String(sec).padStart(2, '0')} s`;
  const hr = Math.floor(m / 60);
  return `${hr} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Short, human name for an XState event type as it appears on a diagram edge or in the log. */
export function eventLabel(type: string): string {
  let m = /^xstate\.after\.([^.]+)\./.exec(type);
  if (m) return `after ${m[1]}`;
  m = /^xstate\.done\.actor\.(.+)$/.exec(type);
  if (m) return `${m[1]} done`;
  m = /^xstate\.error\.actor\.(.+)$/.exec(type);
  if (m) return `${m[1]} error`;
  if (type === 'xstate.init') return 'start';
  return type;
}

/** Path without the machine prefix: "connection.connecting.backoff" → "connecting.backoff". */
export function statePath(id: string): string {
  const i = id.indexOf('.');
  return i < 0 ? id : id.slice(i + 1);
}

export function sameLocalDay(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

/** "Today", "Yesterday", or a long local date, for chat date separators. */
export function dayLabel(ts: number, now = Date.now(), locale?: string): string {
  if (sameLocalDay(ts, now)) return 'Today';
  if (sameLocalDay(ts, now - 86_400_000)) return 'Yesterday';
  const d = new Date(ts);
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  return d.toLocaleDateString(locale, { weekday: 'long', day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) });
}

/** Local wall-clock time "14:05" (locale aware). */
export function timeOfDay(ts: number, locale?: string): string {
  return new Date(ts).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

/** Local time with seconds, for the event log. */
export function clockTime(ts: number, locale?: string): string {
  return new Date(ts).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A chat-list timestamp: the time today, the weekday this week, else a short date. */
export function chatListTime(ts: number, now = Date.now(), locale?: string): string {
  if (sameLocalDay(ts, now)) return timeOfDay(ts, locale);
  if (now - ts < 6 * 86_400_000) return new Date(ts).toLocaleDateString(locale, { weekday: 'short' });
  return new Date(ts).toLocaleDateString(locale, { day: 'numeric', month: 'short', year: '2-digit' });
}

/** Timestamps are epoch milliseconds by contract; tolerate seconds from older data. */
export function toMs(ts: number): number {
  return ts < 1e12 ? ts * 1000 : ts;
}

// Plain words, no emoji: headless and minimal systems often have no emoji font (tofu boxes).
const MEDIA_LABELS: Record<string, string> = {
  image: 'Photo',
  video: 'Video',
  audio: 'Audio',
  ptt: 'Voice message',
  voice: 'Voice message',
  document: 'Document',
  sticker: 'Sticker',
  location: 'Location',
  contact: 'Contact card',
  vcard: 'Contact card',
  poll: 'Poll',
  reaction: 'Reaction',
};

/** A label for a message's media/type, or null for plain text. */
export function mediaLabel(m: { type: string; hasMedia: boolean }): string | null {
  const t = m.type.toLowerCase().replace(/message$/, '');
  if (MEDIA_LABELS[t]) return MEDIA_LABELS[t]!;
  if (m.hasMedia) return 'Attachment';
  if (t && t !== 'text' && t !== 'chat' && t !== 'conversation' && t !== 'extendedtext') return `[${m.type}]`;
  return null;
}

/** "447700900001@s.whatsapp.net" → "+447700900001"; groups and others unchanged. */
export function displayJid(jid: string): string {
  const m = /^(\d+)(?::\d+)?@s\.whatsapp\.net$/.exec(jid);
  return m ? `+${m[1]}` : jid;
}
