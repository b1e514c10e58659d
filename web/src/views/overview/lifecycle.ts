/** Lifecycle words shared by the overview cards. */
import type { PublicState } from '../../types.js';

export const STATE_TEXT: Record<PublicState, string> = {
  connecting: 'Connecting',
  'awaiting-qr': 'Waiting for QR scan',
  open: 'Connected',
  'soft-resync': 'Resyncing app state',
  restarting: 'Restarting',
  stuck: 'Stuck — needs an operator',
};

/** The readiness grace only decides health while recovering (open/awaiting-qr are healthy, stuck never is). */
export const graceMatters = (state: PublicState): boolean => state === 'connecting' || state === 'soft-resync' || state === 'restarting';
