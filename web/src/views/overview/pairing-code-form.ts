/**
 * Linking by phone number (issue #14), inside the QR card: a phone-number form that asks WhatsApp for an
 * 8-character code (POST /api/pairing-code) and shows it with the steps to type it on the phone. Open by
 * default when the `link_method` setting is `code`; the QR beside it keeps working either way. The code
 * comes only from the POST answer or GET /api/pairing-code (after a reload): statuses only say one exists.
 */
import { describeError, getJson, postJson, request } from '../../api.js';
import { h } from '../../dom.js';
import type { LiveState } from '../../live.js';
import type { StatusSummary } from '../../types.js';
import { Disposer, type Component } from './component.js';

interface CodeAnswer {
  code: string;
  display: string;
  phone: string;
}

let instances = 0;

export function pairingCodeForm(live: LiveState): Component {
  const d = new Disposer();
  const n = ++instances;
  const input = h('input', {
    id: `pairing-phone-${n}`,
    // type=text + inputmode=tel: the phone keypad on mobiles, and the form styles of every other text field.
    type: 'text',
    name: 'phone',
    autocomplete: 'tel',
    inputmode: 'tel',
    placeholder: '+44 7700 900123',
    required: true,
    'data-testid': 'pairing-phone',
    'aria-describedby': `pairing-help-${n}`,
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'pairing-submit' }, 'Get pairing code');
  const help = h('p', { class: 'field-help', id: `pairing-help-${n}` }, 'The number of the phone to link, with its country code.');
  const error = h('p', { class: 'field-error', role: 'alert', 'data-testid': 'pairing-error', hidden: true });
  // Focused when it arrives, so a screen reader reads it (the page keeps one live region, for state changes).
  const code = h('p', { class: 'pairing-code', 'data-testid': 'pairing-code', tabindex: -1 });
  // Big and spaced: it is read off this screen and typed on a phone (CSSOM styles are allowed by the CSP).
  Object.assign(code.style, { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: '30px', fontWeight: '700', letterSpacing: '0.12em', margin: '12px 0 4px' });
  const shown = h(
    'div',
    { class: 'pairing-shown', hidden: true },
    code,
    h(
      'ol',
      { class: 'steps' },
      h('li', null, 'On that phone: WhatsApp → Settings → Linked devices → Link a device'),
      h('li', null, 'Tap “Link with phone number instead”'),
      h('li', null, 'Type the code above; it works while this page waits to be linked (a few minutes)'),
    ),
  );
  const form = h(
    'form',
    { class: 'pairing-form', 'data-testid': 'pairing-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: input.id }, 'Phone number'), input, help),
    h('div', { class: 'wn-actions' }, submit),
    error,
  );
  const summary = h('summary', null, 'Link with phone number instead');
  const el = h('details', { class: 'pairing', 'data-testid': 'pairing' }, summary, form, shown);

  let busy = false;
  let current: string | null = null;
  let status: StatusSummary | null = null;

  const show = (a: CodeAnswer | null) => {
    current = a?.code ?? null;
    shown.hidden = a === null;
    code.textContent = a ? a.display : '';
    if (a) code.setAttribute('aria-label', `Pairing code ${a.code.split('').join(' ')} for +${a.phone}`);
  };

  const sync = () => {
    const p = status?.pairingCode;
    submit.disabled = busy || !p?.requestable;
    // The code died with its connection (or the link completed): forget it.
    if (current && !p?.available && !p?.pending) show(null);
    // A code exists that this page has not seen (a reload, another tab): fetch it.
    if (p?.available && !current && !busy) {
      void request('/api/pairing-code')
        .then(async (res) => (res.status === 204 ? null : ((await res.json()) as CodeAnswer)))
        .then((a) => a && show(a))
        .catch(() => undefined);
    }
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const phone = input.value.trim();
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    if (!phone) {
      error.textContent = 'Enter the phone number first.';
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    busy = true;
    submit.textContent = 'Asking WhatsApp…';
    sync();
    postJson<CodeAnswer>('/api/pairing-code', { phone })
      .then((a) => {
        show(a);
        code.focus();
      })
      .catch((err: unknown) => {
        show(null);
        error.textContent = describeError(err);
        error.hidden = false;
        input.setAttribute('aria-invalid', 'true');
      })
      .finally(() => {
        busy = false;
        submit.textContent = 'Get pairing code';
        sync();
      });
  });

  // LINK_METHOD=code: the phone number is the way, so the form starts open.
  void getJson<{ link_method?: string }>('/api/settings')
    .then((s) => {
      if (s.link_method === 'code') {
        el.open = true;
        summary.textContent = 'Link with phone number';
      }
    })
    .catch(() => undefined);

  d.add(
    live.subscribe({
      status: (st) => {
        status = st;
        sync();
      },
    }),
  );
  if (live.status) {
    status = live.status;
    sync();
  }
  return { el, dispose: d.dispose };
}
