/**
 * Linking by phone number (issue #14), shared by the `request_pairing_code` tool and the admin route: the
 * phone is validated at this edge (zod), the request is a command to the supervisor tree (the machines
 * decide whether the worker can take it: an unpaired socket, no request in flight), and the caller waits
 * for that request's own outcome in the status projection, never for a fixed time.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { LifecycleStatus, Runtime } from './index.js';

/** E.164 allows at most 15 digits; WhatsApp's own clients refuse fewer than 7 and a leading 0 (not international). */
export const PhoneNumberInput = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .describe('The phone number of the WhatsApp account to link, in international format with country code: "+44 7700 900123" or "447700900123"');

export interface PairingCodeResult {
  /** The 8 characters to type on the phone. */
  code: string;
  /** The same, grouped the way WhatsApp shows it: "ABCD-EFGH". */
  display: string;
  /** Digits only. */
  phone: string;
  state: LifecycleStatus['state'];
  message: string;
}

/** Digits of an international phone number, or an `invalid_input` error that says how to write it. */
export function normalizePhone(raw: string): string {
  const trimmed = raw.trim();
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) {
    throw new AppError('invalid_input', `"${raw}" is not a phone number`, 'Give the number in international format with country code, e.g. +44 7700 900123');
  }
  const digits = trimmed.replace(/\D/g, '');
  if (digits.startsWith('0')) {
    throw new AppError('invalid_input', `${raw} is not in international format (it starts with 0)`, 'Drop the trunk 0 and put the country code first, e.g. +44 7700 900123 instead of 07700 900123');
  }
  if (digits.length < 7 || digits.length > 15) {
    throw new AppError('invalid_input', `${raw} has ${digits.length} digits; a phone number in international format has 7 to 15`, 'Give the full number with country code, e.g. +44 7700 900123');
  }
  return digits;
}

export const displayCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`;

/** Why the tree does not take a request now, as the error a caller can act on. */
function refusal(runtime: Runtime): AppError {
  const s = runtime.getSummary();
  if (s.state === 'open' || s.state === 'soft-resync' || (s.authenticated && s.state !== 'stuck')) {
    return new AppError('wrong_state', `Already linked${s.me ? ` as ${s.me.id}` : ''}: no pairing code is needed`, 'Nothing to do. To link another account, log out first (logout), then request a code', { details: { state: s.state } });
  }
  if (s.pairingCode.pending) {
    return new AppError('wrong_state', 'A pairing code request is already waiting for WhatsApp’s answer', 'Wait a few seconds and check check_auth_status, then request again if needed', { retryable: true, retryAfterMs: 2_000 });
  }
  if (s.state === 'stuck') {
    return new AppError('wrong_state', `A pairing code cannot be requested while the connection is stuck (${s.reason ?? 'stuck'})`, 'Restart the connection (admin UI or POST /api/restart-wa), wait for state awaiting-qr, then request the code');
  }
  return new AppError(
    'wrong_state',
    `A pairing code can only be requested while the server waits to be linked (state awaiting-qr); the state is ${s.state}`,
    'Retry in a few seconds: once check_auth_status shows awaiting-qr a code can be requested',
    { retryable: true, retryAfterMs: s.retryInMs ?? 3_000, details: { state: s.state } },
  );
}

/**
 * Asks the tree for a pairing code for `rawPhone` and resolves once WhatsApp confirmed it. Throws
 * `invalid_input` (bad number), `wrong_state` (already linked, not unpaired yet, a request in flight),
 * `upstream_failed` (WhatsApp refused), `timeout` or `unavailable` (the connection went away first).
 */
export async function requestPairingCode(runtime: Runtime, rawPhone: string, opts: { timeoutMs?: number } = {}): Promise<PairingCodeResult> {
  const phone = normalizePhone(rawPhone);
  const sent = runtime.send({ type: 'REQUEST_PAIRING_CODE', phone });
  if (!sent.accepted) throw refusal(runtime);
  // The machine stamped the request synchronously: wait for this one's answer (or for it to be dropped).
  const id = sent.status.pairing?.id;
  const settled = (s: LifecycleStatus) => !s.pairing || s.pairing.id !== id || s.pairing.code !== null || s.pairing.error !== null;
  const after = await runtime.waitFor(settled, opts.timeoutMs ?? 45_000).catch(() => null);
  const p = after?.pairing;
  if (!after) {
    throw new AppError('timeout', 'WhatsApp did not answer the pairing code request in time', 'Check check_auth_status; request a new code once the state is awaiting-qr', { retryable: true, retryAfterMs: 5_000 });
  }
  if (!p || p.id !== id) {
    throw new AppError('unavailable', `The connection was replaced before WhatsApp confirmed the code (state now ${after.state})`, 'Request a new code once check_auth_status shows awaiting-qr', { retryable: true, retryAfterMs: 3_000 });
  }
  if (p.error !== null) {
    const closed = /closed|no unpaired/.test(p.error);
    throw new AppError(closed ? 'unavailable' : /in time/.test(p.error) ? 'timeout' : 'upstream_failed', `No pairing code: ${p.error}`, closed ? 'Request a new code once check_auth_status shows awaiting-qr' : 'Check that the number is the WhatsApp account’s own, in international format; or link with the QR code (get_qr_code)', {
      retryable: closed || /in time/.test(p.error),
    });
  }
  const code = p.code ?? '';
  return {
    code,
    display: displayCode(code),
    phone,
    state: after.state,
    message:
      `On the phone with number +${phone}: WhatsApp → Settings → Linked devices → Link a device → “Link with phone number instead”, ` +
      `then type ${displayCode(code)}. The code works only while this connection waits to be linked (a few minutes); request a new one if it expires.`,
  };
}
