/**
 * Linking: while the supervisor awaits a scan the card shows the QR (re-fetched when it rotates) and the
 * link-by-phone-number form (pairing-code-form.ts); after a scan or a typed code (→ 515 reconnect → open)
 * it turns into the success message.
 */
import { ApiError, describeError, request } from '../../api.js';
import { clear, h } from '../../dom.js';
import { displayJid } from '../../format.js';
import type { LiveState } from '../../live.js';
import type { PublicState, StatusSummary } from '../../types.js';
import { Disposer, type Component } from './component.js';
import { pairingCodeForm } from './pairing-code-form.js';

/** `embedded`: part of the "What now" panel, which carries the heading (no card, no title of its own). */
export function qrCard(live: LiveState, opts: { embedded?: boolean } = {}): Component {
  const d = new Disposer();
  const byCode = pairingCodeForm(live);
  d.add(byCode.dispose);
  // Below the steps and the QR, across both columns of the embedded layout (CSSOM: allowed by the CSP).
  byCode.el.style.gridColumn = '1 / -1';
  const qrImg = h('img', { class: 'qr-img', alt: 'WhatsApp linking QR code', width: 264, height: 264, 'data-testid': 'qr-img' });
  const qrNote = h('p', { class: 'qr-note', 'data-testid': 'qr-note' });
  const qrFrame = h('div', { class: 'qr-frame' }, qrImg);
  const qrBody = h(
    'div',
    { class: 'qr-body' },
    h(
      'ol',
      { class: 'steps' },
      h('li', null, 'Open WhatsApp on your phone'),
      h('li', null, 'Settings → Linked devices → Link a device'),
      h('li', null, 'Point the phone at this code'),
    ),
    qrFrame,
    qrNote,
    byCode.el,
  );
  const qrSuccess = h('div', { class: 'qr-success', 'data-testid': 'qr-success', hidden: true });
  const qrTitle = h('h2', { id: 'qr-h', class: 'card-title' }, 'Link this server');
  const el = opts.embedded
    ? h('div', { class: 'qr-embed', 'data-testid': 'qr-card', hidden: true }, qrBody, qrSuccess)
    : h('section', { class: 'card qr-card', 'data-testid': 'qr-card', hidden: true, 'aria-labelledby': 'qr-h' }, qrTitle, qrBody, qrSuccess);

  let qrVersion = 0;
  let qrUrl: string | null = null;
  let qrLoading = false;
  let qrAgain = false;
  const loadQr = async () => {
    if (qrLoading) {
      qrAgain = true;
      return;
    }
    qrLoading = true;
    try {
      const res = await request(`/api/qr?v=${Date.now()}`, { accept: 'image/png' });
      if (res.status === 204) {
        qrNote.textContent = 'Waiting for WhatsApp to issue a code…';
        qrFrame.classList.add('qr-waiting');
        qrFrame.classList.remove('qr-missing');
      } else {
        qrFrame.classList.remove('qr-missing');
        const blob = await res.blob();
        const url = URL.createObjectURL(blob);
        await new Promise<void>((resolve) => {
          qrImg.onload = () => resolve();
          qrImg.onerror = () => resolve();
          qrImg.src = url;
        });
        if (qrUrl) URL.revokeObjectURL(qrUrl);
        qrUrl = url;
        qrVersion++;
        qrImg.dataset.version = String(qrVersion);
        qrFrame.classList.remove('qr-waiting');
        qrFrame.classList.add('qr-loaded');
        qrNote.textContent = 'The code refreshes by itself every few seconds.';
      }
    } catch (err) {
      qrFrame.classList.remove('qr-waiting');
      qrFrame.classList.add('qr-missing');
      qrNote.textContent =
        err instanceof ApiError && err.notAvailable
          ? 'QR image not available on this server (GET /api/qr is missing). Use the MCP tool get_qr_code instead.'
          : `Could not load the QR code: ${describeError(err)}`;
    } finally {
      qrLoading = false;
      if (qrAgain) {
        qrAgain = false;
        void loadQr();
      }
    }
  };

  let prevState: PublicState | null = null;
  let pairing = false;
  let linked = false;
  const render = (st: StatusSummary) => {
    if (st.state === 'awaiting-qr') {
      pairing = true;
      linked = false;
      qrTitle.textContent = 'Link this server';
      el.hidden = false;
      qrBody.hidden = false;
      qrSuccess.hidden = true;
      if (prevState !== 'awaiting-qr' || !qrFrame.classList.contains('qr-loaded')) void loadQr();
    } else if (st.state === 'connecting' && pairing) {
      qrBody.hidden = true;
      qrSuccess.hidden = false;
      clear(qrSuccess);
      qrSuccess.append(h('div', { class: 'spinner', 'aria-hidden': 'true' }), h('p', null, 'Connecting to WhatsApp…'));
    } else if (st.state === 'open' && (pairing || linked)) {
      pairing = false;
      linked = true;
      qrTitle.textContent = 'Device linked';
      el.hidden = false;
      qrBody.hidden = true;
      qrSuccess.hidden = false;
      clear(qrSuccess);
      qrSuccess.append(
        h('div', { class: 'check', 'aria-hidden': 'true' }, '✓'),
        h('p', { 'data-testid': 'linked-as' }, h('strong', null, 'Linked!'), ` Connected as ${st.me ? displayJid(st.me.id) : 'your account'}.`),
      );
    } else {
      pairing = false;
      linked = false;
      el.hidden = true;
    }
    prevState = st.state;
  };

  d.add(
    live.subscribe({
      status: render,
      // A rotated code: fetch the new image.
      transition: (t) => {
        if (t.event === 'ENGINE.QR' && live.status?.state === 'awaiting-qr') void loadQr();
      },
    }),
  );
  if (live.status) render(live.status);
  d.add(() => {
    if (qrUrl) URL.revokeObjectURL(qrUrl);
  });
  return { el, dispose: d.dispose };
}
