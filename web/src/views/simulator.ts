/**
 * Simulator panel (only when the server runs against the built-in WhatsApp simulator): scan the QR with
 * the fake phone, deliver a message from a fake contact, inject each fault.
 */
import { ApiError, describeError, getJson, postJson } from '../api.js';
import { h } from '../dom.js';
import { displayJid } from '../format.js';
import type { LiveState } from '../live.js';

interface SimContact {
  jid?: string;
  id?: string;
  name?: string;
}

const FAULTS: { kind: string; label: string; help: string }[] = [
  { kind: 'close', label: 'Close socket', help: 'server closes the stream with the chosen code' },
  { kind: 'stream-error', label: 'Stream error', help: '<stream:error> from the server' },
  { kind: 'conflict', label: 'Conflict (440)', help: 'another client replaced this one' },
  { kind: 'logout', label: 'Logged out (401)', help: 'the phone unlinked this device' },
  { kind: 'silence', label: 'Go silent', help: 'stop answering pings (dead socket)' },
  { kind: 'corrupt-app-state', label: 'Corrupt app state', help: 'send an undecodable app-state patch' },
];

const CLOSE_CODES = [428, 408, 500, 503, 515, 401, 440, 403, 411];

export function simulatorPanel(live?: LiveState): { el: HTMLElement; dispose: () => void } {
  const out = h('p', { class: 'sim-result small', 'aria-live': 'polite', 'data-testid': 'sim-result' });
  const say = (text: string, ok: boolean) => {
    out.textContent = text;
    out.className = `sim-result small ${ok ? 'ok' : 'err'}`;
  };
  const call = async (label: string, path: string, body: unknown, btn: HTMLButtonElement) => {
    btn.disabled = true;
    try {
      await postJson(path, body);
      say(`${label}: sent.`, true);
    } catch (err) {
      say(`${label}: ${describeError(err)}`, false);
    } finally {
      btn.disabled = false;
    }
  };

  const scanBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'sim-scan' }, 'Scan QR with the fake phone');
  scanBtn.addEventListener('click', () => void call('Scan QR', '/api/simulator/scan-qr', {}, scanBtn));

  const fromSel = h('select', { id: 'sim-from', 'data-testid': 'sim-from' }, h('option', { value: '' }, 'Any contact'));
  const text = h('input', { id: 'sim-text', type: 'text', placeholder: 'Hello from the simulator', required: true, maxlength: 4096, 'data-testid': 'sim-text' });
  const sendBtn = h('button', { type: 'submit', class: 'btn' }, 'Deliver');
  const deliver = h(
    'form',
    { class: 'sim-deliver' },
    h('label', { for: 'sim-from' }, 'From'),
    fromSel,
    h('label', { for: 'sim-text' }, 'Message'),
    h('div', { class: 'inline' }, text, sendBtn),
  );
  deliver.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body: { text: string; from?: string } = { text: text.value.trim() || 'Hello from the simulator' };
    if (fromSel.value) body.from = fromSel.value;
    void call('Deliver message', '/api/simulator/deliver', body, sendBtn).then(() => {
      text.value = '';
    });
  });

  const codeSel = h('select', { 'aria-label': 'Close code', 'data-testid': 'sim-close-code' }, ...CLOSE_CODES.map((c) => h('option', { value: c }, String(c))));
  const faults = h('div', { class: 'faults' });
  for (const f of FAULTS) {
    const b = h('button', { type: 'button', class: 'btn btn-small', title: f.help, 'data-fault': f.kind }, f.label);
    b.addEventListener('click', () => {
      const body: { kind: string; code?: number } = { kind: f.kind };
      if (f.kind === 'close') body.code = Number(codeSel.value);
      void call(`Fault ${f.label}`, '/api/simulator/fault', body, b);
    });
    if (f.kind === 'close') faults.append(h('span', { class: 'inline' }, b, codeSel));
    else faults.append(b);
  }

  const el = h(
    'section',
    { class: 'card sim-card', hidden: true, 'data-testid': 'simulator-panel', 'aria-labelledby': 'sim-h' },
    h('h2', { id: 'sim-h', class: 'card-title' }, 'Simulator'),
    h('p', { class: 'small muted' }, 'This server talks to the built-in WhatsApp simulator, not to WhatsApp.'),
    scanBtn,
    h('h3', { class: 'sub-title' }, 'Deliver a message'),
    deliver,
    h('h3', { class: 'sub-title' }, 'Inject a fault'),
    faults,
    out,
  );

  // Visible only when the simulator answers (404 = simulator off).
  void getJson<SimContact[] | { contacts: SimContact[] }>('/api/simulator/contacts')
    .then((r) => {
      const list = Array.isArray(r) ? r : r.contacts ?? [];
      for (const c of list) {
        const jid = c.jid ?? c.id;
        if (jid) fromSel.append(h('option', { value: jid }, c.name ? `${c.name} (${displayJid(jid)})` : displayJid(jid)));
      }
      el.hidden = false;
    })
    .catch((err: unknown) => {
      if (!(err instanceof ApiError && err.status === 404)) {
        el.hidden = false;
        say(`Simulator contacts: ${describeError(err)}`, false);
      }
    });

  // Faults and deliveries need the server: disabled while it is unreachable.
  const sync = () => {
    const offline = live !== undefined && live.link !== 'live' && live.lostAt !== null;
    el.querySelectorAll<HTMLButtonElement>('button').forEach((b) => (b.disabled = offline));
  };
  const off = live?.subscribe({ link: sync });
  return { el, dispose: () => off?.() };
}
