/** Connection / auth operations: status, QR, logout, resync (commands to the supervisor). */
import type { PublicState, StatusSummary } from '../runtime/index.js';
import type { ServiceDeps } from './context.js';
import { AppError } from '../errors.js';

/** `check_auth_status`: the agent-facing fields of the runtime's one status summary (machines/status.ts). */
export type AuthStatus = Pick<
  StatusSummary,
  'state' | 'authenticated' | 'ready' | 'me' | 'qrAvailable' | 'pairingCode' | 'lastDisconnect' | 'health' | 'reason' | 'since' | 'retryInMs' | 'commands' | 'restriction'
>;

export type QrResult = { state: PublicState; qr: string; linked: false } | { state: PublicState; qr: null; linked: boolean; message: string };

export interface CommandOutcome {
  accepted: boolean;
  state: PublicState;
  reason: string | null;
  status: AuthStatus;
}

function authStatus(s: StatusSummary): AuthStatus {
  const { state, authenticated, ready, me, qrAvailable, pairingCode, lastDisconnect, health, reason, since, retryInMs, commands, restriction } = s;
  // `pairingCode` is the summary's block as is: it never holds the code (only request_pairing_code answers it).
  return { state, authenticated, ready, me, qrAvailable, pairingCode: { ...pairingCode }, lastDisconnect, health, reason, since, retryInMs, commands, restriction };
}

export class ConnectionService {
  constructor(private readonly deps: ServiceDeps) {}

  status(): AuthStatus {
    return authStatus(this.deps.runtime.getSummary());
  }

  qr(): QrResult {
    const qr = this.deps.runtime.getStatus().qr;
    const s = this.deps.runtime.getSummary();
    if (qr !== null) return { state: s.state, qr, linked: false };
    if (s.ready) return { state: s.state, qr: null, linked: true, message: 'Already linked: WhatsApp is connected, no QR code is needed' };
    if (s.authenticated) {
      return { state: s.state, qr: null, linked: true, message: `Already linked; the connection is ${s.state} and reconnects by itself (no QR code needed)` };
    }
    return { state: s.state, qr: null, linked: false, message: `No QR code yet (state: ${s.state}); call get_qr_code again in a few seconds` };
  }

  /** Unlinks the device (auth state wiped, history kept); waits briefly for the supervisor to ask for a QR. */
  async logout(): Promise<CommandOutcome> {
    const r = this.deps.runtime.send({ type: 'LOGOUT' });
    if (!r.accepted) {
      throw new AppError('wrong_state', `Logout is not possible in state ${r.summary.state}`, 'Check check_auth_status and retry once the connection settles');
    }
    await this.deps.runtime.waitFor((s) => s.state === 'awaiting-qr', 2_000).catch(() => undefined);
    const after = this.deps.runtime.getSummary();
    return { accepted: true, state: after.state, reason: after.reason, status: authStatus(after) };
  }

  /** Asks the supervisor to resync app state now (bypassing the cooldown). */
  forceResync(): CommandOutcome {
    const r = this.deps.runtime.send({ type: 'FORCE_RESYNC' });
    if (!r.accepted) {
      throw new AppError(
        'wrong_state',
        `A resync is not possible in state ${r.summary.state}`,
        r.summary.state === 'soft-resync' ? 'A resync is already running; wait for it to finish' : 'A resync needs an open connection; retry once check_auth_status shows state open',
        { retryable: true },
      );
    }
    const s = r.summary;
    return { accepted: true, state: s.state, reason: s.reason, status: authStatus(s) };
  }
}
