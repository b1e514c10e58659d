/** Connection / auth operations: status projection, QR, logout, resync (commands to the supervisor). */
import type { Health, LifecycleStatus } from '../../machines/health.js';
import type { Disconnect, Me, PublicState } from '../../machines/types.js';
import type { ServiceDeps } from './context.js';
import { AppError } from '../errors.js';
import { retryInMs } from './errors.js';

export interface AuthStatus {
  state: PublicState;
  authenticated: boolean;
  ready: boolean;
  me: Me | null;
  qrAvailable: boolean;
  lastDisconnect: Disconnect | null;
  health: Health;
  reason: string | null;
  since: number;
  /** Milliseconds until the next scheduled recovery step, when one is scheduled. */
  retryInMs: number | null;
}

export type QrResult = { state: PublicState; qr: string; linked: false } | { state: PublicState; qr: null; linked: boolean; message: string };

export interface CommandOutcome {
  accepted: boolean;
  state: PublicState;
  reason: string | null;
  status: AuthStatus;
}

export class ConnectionService {
  constructor(private readonly deps: ServiceDeps) {}

  status(): AuthStatus {
    return this.project(this.deps.runtime.getStatus());
  }

  private project(s: LifecycleStatus): AuthStatus {
    return {
      state: s.state,
      authenticated: s.me !== null && s.state !== 'awaiting-qr',
      ready: s.state === 'open',
      me: s.me,
      qrAvailable: s.qr !== null,
      lastDisconnect: s.lastDisconnect,
      health: this.deps.runtime.getHealth(),
      reason: s.reason,
      since: s.since,
      retryInMs: retryInMs(s),
    };
  }

  qr(): QrResult {
    const s = this.deps.runtime.getStatus();
    if (s.qr !== null) return { state: s.state, qr: s.qr, linked: false };
    if (s.state === 'open') return { state: s.state, qr: null, linked: true, message: 'Already linked: WhatsApp is connected, no QR code is needed' };
    if (s.me !== null && s.state !== 'awaiting-qr') {
      return { state: s.state, qr: null, linked: true, message: `Already linked; the connection is ${s.state} and reconnects by itself (no QR code needed)` };
    }
    return { state: s.state, qr: null, linked: false, message: `No QR code yet (state: ${s.state}); call get_qr_code again in a few seconds` };
  }

  /** Unlinks the device (auth state wiped, history kept); waits briefly for the supervisor to ask for a QR. */
  async logout(): Promise<CommandOutcome> {
    const r = this.deps.runtime.send({ type: 'LOGOUT' });
    if (!r.accepted) {
      throw new AppError('wrong_state', `Logout is not possible in state ${r.status.state}`, 'Check check_auth_status and retry once the connection settles');
    }
    const after = await this.deps.runtime
      .waitFor((s) => s.state === 'awaiting-qr', 2_000)
      .catch(() => this.deps.runtime.getStatus());
    return { accepted: true, state: after.state, reason: after.reason, status: this.project(after) };
  }

  /** Asks the supervisor to resync app state now (bypassing the cooldown). */
  forceResync(): CommandOutcome {
    const r = this.deps.runtime.send({ type: 'FORCE_RESYNC' });
    if (!r.accepted) {
      throw new AppError(
        'wrong_state',
        `A resync is not possible in state ${r.status.state}`,
        r.status.state === 'soft-resync' ? 'A resync is already running; wait for it to finish' : 'A resync needs an open connection; retry once check_auth_status shows state open',
        { retryable: true },
      );
    }
    const s = this.deps.runtime.getStatus();
    return { accepted: true, state: s.state, reason: s.reason, status: this.project(s) };
  }
}
