/**
 * Pure JID / phone-number helpers (no SQLite here; the identity *repository* that remembers LID↔phone
 * mappings lives in `repos/contacts.ts`).
 *
 * WhatsApp addresses one person by a phone-number JID (`447911123456@s.whatsapp.net`, "PN") and, since
 * the LID rollout, by an opaque LID (`123456789012345@lid`). Device suffixes (`447911123456:12@…`) and
 * agent suffixes (`447911123456_1:3@…`) name one device of that person and are stripped here so that the
 * store keys everything by the person (or group/broadcast) address.
 */

export const PN_SERVER = 's.whatsapp.net';
export const LID_SERVER = 'lid';
export const GROUP_SERVER = 'g.us';

export type JidKind = 'pn' | 'lid' | 'group' | 'broadcast' | 'newsletter' | 'status' | 'other';

/**
 * Normalise a JID: lower-case server, strip device and agent suffixes, map the legacy `c.us` server to
 * `s.whatsapp.net`. Returns `null` when the input is not a JID (no `@`, empty user or server).
 */
export function normalizeJid(input: string): string | null {
  const s = input.trim();
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return null;
  let user = s.slice(0, at);
  let server = s.slice(at + 1).toLowerCase();
  if (server === 'c.us') server = PN_SERVER;
  if (server === PN_SERVER || server === LID_SERVER || server === 'hosted' || server === 'hosted.lid') {
    const colon = user.indexOf(':');
    if (colon >= 0) user = user.slice(0, colon);
    const underscore = user.indexOf('_');
    if (underscore >= 0) user = user.slice(0, underscore);
    if (server === 'hosted') server = PN_SERVER;
    if (server === 'hosted.lid') server = LID_SERVER;
  }
  if (user.length === 0) return null;
  return `${user}@${server}`;
}

/** Kind of a (normalised or not) JID. */
export function jidKind(jid: string): JidKind {
  const at = jid.lastIndexOf('@');
  const server = at >= 0 ? jid.slice(at + 1).toLowerCase() : '';
  if (jid === 'status@broadcast') return 'status';
  switch (server) {
    case PN_SERVER:
    case 'c.us':
      return 'pn';
    case LID_SERVER:
      return 'lid';
    case GROUP_SERVER:
      return 'group';
    case 'broadcast':
      return 'broadcast';
    case 'newsletter':
      return 'newsletter';
    default:
      return 'other';
  }
}

/** The user part of a JID (`447911123456` for `447911123456@s.whatsapp.net`). */
export function jidUser(jid: string): string {
  const at = jid.lastIndexOf('@');
  return at >= 0 ? jid.slice(0, at) : jid;
}

/**
 * Phone number in any common format → PN JID, or `null` if it is not a plausible E.164 number
 * (7–15 digits after stripping spaces, dashes, dots, brackets, a leading `+` or international `00`).
 * Accepts `+44 7911 123456`, `447911123456`, `0044 7911-123456`, `447911123456@s.whatsapp.net`.
 * Numbers are expected with their country code: a national `07911…` form cannot be resolved without
 * knowing the country and is returned as the digits given.
 */
export function phoneToJid(input: string): string | null {
  const s = input.trim();
  if (s.includes('@')) {
    const n = normalizeJid(s);
    return n !== null && jidKind(n) === 'pn' && /^\d{7,15}$/.test(jidUser(n)) ? n : null;
  }
  if (!/^[+\d\s\-().]+$/.test(s)) return null;
  let digits = s.replace(/\D/g, '');
  if (!s.startsWith('+') && digits.startsWith('00')) digits = digits.slice(2);
  if (!/^\d{7,15}$/.test(digits)) return null;
  return `${digits}@${PN_SERVER}`;
}

/** True when the text looks like a phone number (used by contact resolution to prefer number matches). */
export function looksLikePhone(input: string): boolean {
  return phoneToJid(input) !== null;
}

/**
 * A chat/contact name is "weak" when it carries no information beyond the JID itself: empty, whitespace,
 * a JID, the JID's user part, or just a phone number. Weak names never overwrite a stored name.
 */
export function isWeakName(name: string | null | undefined, jid?: string): boolean {
  if (name === null || name === undefined) return true;
  const n = name.trim();
  if (n.length === 0) return true;
  if (n.includes('@') && normalizeJid(n) !== null && /@(s\.whatsapp\.net|c\.us|lid|g\.us|broadcast|newsletter)$/i.test(n)) {
    return true;
  }
  if (jid !== undefined && (n === jid || n === jidUser(jid))) return true;
  if (/^\+?[\d\s\-().]+$/.test(n)) return true;
  return false;
}

/** Normalise any user-supplied id (JID, LID, phone in any format) to a JID, or `null`. */
export function toJid(input: string): string | null {
  const s = input.trim();
  if (s.includes('@')) return normalizeJid(s);
  return phoneToJid(s);
}
