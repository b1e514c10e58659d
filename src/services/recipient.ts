/**
 * Who a write may address: a person (phone JID or LID) or a group — checked strictly before anything is
 * claimed, stored or sent, so `a@b@c`, `0@s.whatsapp.net` or `status@broadcast` are refused with a clear
 * error instead of being "sent" into nowhere.
 */
import { invalidInput } from '../errors.js';
import { jidKind, jidUser, type Store } from '../store/index.js';

const USER_RULES: Partial<Record<ReturnType<typeof jidKind>, RegExp>> = {
  // E.164 without "+": a country code never starts with 0; 7–15 digits.
  pn: /^[1-9]\d{6,14}$/,
  lid: /^\d{1,20}$/,
  // Modern group ids are long numbers; old ones are "<creator phone>-<creation time>".
  group: /^\d{5,20}(-\d{5,20})?$/,
};

/** True when `jid` (already canonical) is a person or group WhatsApp can deliver to. */
export function isSendableJid(jid: string): boolean {
  if ((jid.match(/@/g) ?? []).length !== 1) return false;
  const rule = USER_RULES[jidKind(jid)];
  return rule !== undefined && rule.test(jidUser(jid));
}

/** The canonical chat JID for a recipient given as JID, LID or phone number; `invalid_input` otherwise. */
export function resolveRecipient(store: Store, input: string): string {
  const next = 'Pass a person (…@s.whatsapp.net with the country code, a LID, or a phone number such as +44 7911 123456) or a group (…@g.us) as recipient_jid';
  if ((input.match(/@/g) ?? []).length > 1) throw invalidInput(`"${input}" is not a WhatsApp id`, next);
  const jid = store.identity.resolve(input);
  if (jid === null || !isSendableJid(jid)) throw invalidInput(`"${input}" is not a WhatsApp person or group that messages can be sent to`, next);
  return jid;
}
