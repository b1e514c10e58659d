/** Lifecycle words shared by the overview cards. */
import type { PublicState, StatusSummary } from '../../types.js';

export const STATE_TEXT: Record<PublicState, string> = {
  connecting: 'Connecting',
  'awaiting-qr': 'Waiting for QR scan',
  open: 'Connected',
  'soft-resync': 'Resyncing app state',
  restarting: 'Restarting',
  stuck: 'Stuck — needs an operator',
};

/**
 * The words for a status: `awaiting-qr` also covers linking by phone number (machines/status.ts publishes
 * the worker's `awaiting-code` as `awaiting-qr`), so its `pairingCode` block says which human step is awaited.
 */
export function stateText(st: Pick<StatusSummary, 'state' | 'pairingCode'>): string {
  if (st.state === 'awaiting-qr') {
    if (st.pairingCode.available) return 'Waiting for the code to be typed on the phone';
    if (st.pairingCode.pending) return 'Asking WhatsApp for a pairing code';
  }
  return STATE_TEXT[st.state] ?? st.state;
}

/** The readiness grace only decides health while recovering (open/awaiting-qr are healthy, stuck never is). */
export const graceMatters = (state: PublicState): boolean => state === 'connecting' || state === 'soft-resync' || state === 'restarting';
