/**
 * Anti-ban pacing (issue #15), pure: the earliest time a message may go out given what went out before.
 * The rules a careful human keeps: a minimum interval per chat, a ceiling per minute and per hour for all
 * chats, and a ceiling on first messages to new chats per day (cold outreach is what WhatsApp punishes
 * with 463). The queue is one line, first in first out, so a new send never overtakes a queued one.
 */
export interface PaceRules {
  chatIntervalMs: number;
  perMinute: number;
  perHour: number;
  newPerDay: number;
  jitterMs: number;
}

export interface SendRecord {
  at: number;
  chatJid: string;
  newRecipient: boolean;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The time at which the window (t - w, t] holds fewer than `limit` of `times` (ascending). */
function windowSlot(times: readonly number[], t: number, w: number, limit: number): number {
  if (limit <= 0) return t;
  const inWindow = times.filter((x) => x > t - w && x <= t);
  if (inWindow.length < limit) return t;
  return inWindow[inWindow.length - limit]! + w;
}

/**
 * Earliest slot ≥ max(now, the last reserved slot) for a message to `chatJid`. `history` holds the sends
 * already made and the slots already reserved by queued sends. `random` is injectable for tests; jitter is
 * added only to a send that waits anyway (an immediate send is never delayed by jitter alone).
 */
export function earliestSlot(rules: PaceRules, history: readonly SendRecord[], req: { chatJid: string; newRecipient: boolean }, now: number, random: () => number = Math.random): number {
  const all = history.map((h) => h.at).sort((a, b) => a - b);
  const sameChat = history.filter((h) => h.chatJid === req.chatJid).map((h) => h.at);
  const fresh = history.filter((h) => h.newRecipient).map((h) => h.at).sort((a, b) => a - b);
  let t = Math.max(now, all.at(-1) ?? now);
  // Each rule can only push t later; iterate until every rule holds at once (a few rounds at most).
  for (let round = 0; round < 100; round++) {
    let next = t;
    if (rules.chatIntervalMs > 0 && sameChat.length > 0) next = Math.max(next, Math.max(...sameChat) + rules.chatIntervalMs);
    next = Math.max(next, windowSlot(all, next, MINUTE, rules.perMinute));
    next = Math.max(next, windowSlot(all, next, HOUR, rules.perHour));
    if (req.newRecipient) next = Math.max(next, windowSlot(fresh, next, DAY, rules.newPerDay));
    if (next === t) break;
    t = next;
  }
  if (t > now && rules.jitterMs > 0) t += Math.floor(random() * rules.jitterMs);
  return t;
}
