/**
 * Simulator panel (only when the server runs against the built-in WhatsApp simulator): scan the QR with
 * the fake phone or type a pairing code on it; deliver a text, a group message or media from any simulated contact; inject every fault
 * the simulator has, each with its own parameters (any close code, switches that turn on and off).
 */
import { ApiError, describeError, getJson, postJson } from '../api.js';
import { closeWords } from '../diagram/words.js';
import { h } from '../dom.js';
import { displayJid } from '../format.js';
import type { LiveState } from '../live.js';

interface SimContact {
  jid: string;
  name?: string;
}
interface SimGroup {
  jid: string;
  subject: string;
}

/** Close codes worth a name; any other 100–999 can be typed. */
const CODES = [428, 408, 440, 401, 403, 411, 500, 503, 515];
const COLLECTIONS = ['regular', 'regular_high', 'regular_low', 'critical_block', 'critical_unblock_low'];
const MEDIA_KINDS: { kind: string; label: string }[] = [
  { kind: 'image', label: 'Photo' },
  { kind: 'audio', label: 'Voice note' },
  { kind: 'document', label: 'Document' },
  { kind: 'sticker', label: 'Sticker' },
  { kind: 'video', label: 'Video (needs a file)' },
];

let uid = 0;

export function simulatorPanel(live?: LiveState): { el: HTMLElement; dispose: () => void } {
  const id = (name: string) => `sim-${name}-${++uid}`;
  const out = h('p', { class: 'sim-result small', 'aria-live': 'polite', 'data-testid': 'sim-result' });
  const say = (text: string, ok: boolean) => {
    out.textContent = text;
    out.className = `sim-result small ${ok ? 'ok' : 'err'}`;
  };
  const call = async (label: string, path: string, body: unknown, btn: HTMLButtonElement): Promise<boolean> => {
    btn.disabled = true;
    try {
      await postJson(path, body);
      say(`${label}: sent.`, true);
      return true;
    } catch (err) {
      say(`${label}: ${describeError(err)}`, false);
      return false;
    } finally {
      btn.disabled = false;
      sync();
    }
  };
  const labelled = (label: string, control: HTMLElement & { id: string }) => h('div', { class: 'sim-field' }, h('label', { for: control.id }, label), control);

  const scanBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'sim-scan' }, 'Scan QR with the fake phone');
  scanBtn.addEventListener('click', () => void call('Scan QR', '/api/simulator/scan-qr', {}, scanBtn));

  // Linking by phone number (#14): the fake phone's user types the code the overview shows.
  const pairHelpId = id('pair-code-help');
  const pairCode = h('input', {
    id: id('pair-code'),
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'characters',
    maxlength: 9,
    placeholder: 'ABCD-EFGH',
    'aria-describedby': pairHelpId,
    'data-testid': 'sim-pairing-code',
  });
  const phoneNumber = h('strong', { 'data-testid': 'sim-phone-number' }, 'the simulated phone');
  const pairHelp = h('p', { class: 'field-help', id: pairHelpId }, 'The 8-character code shown under “Link with phone number”, requested for ', phoneNumber, '.');
  const pairBtn = h('button', { type: 'submit', class: 'btn', 'data-testid': 'sim-enter-code' }, 'Type it on the fake phone');
  const pairForm = h('form', { class: 'sim-deliver', 'data-testid': 'sim-pairing-form' }, h('div', { class: 'sim-field' }, h('label', { for: pairCode.id }, 'Pairing code'), pairCode, pairHelp), h('div', { class: 'inline' }, pairBtn));
  pairForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const typed = pairCode.value.trim();
    if (!typed) {
      say('Enter pairing code: type the code shown on the overview first.', false);
      pairCode.focus();
      return;
    }
    void call('Enter pairing code', '/api/simulator/enter-pairing-code', { code: typed }, pairBtn).then((ok) => {
      if (ok && pairCode.value === typed) pairCode.value = '';
    });
  });

  // ── deliver ────────────────────────────────────────────────────
  const fromSel = h('select', { id: 'sim-from', 'data-testid': 'sim-from' }, h('option', { value: '' }, 'First contact'));
  const kindSel = h(
    'select',
    { id: id('kind'), 'data-testid': 'sim-kind' },
    h('option', { value: 'text' }, 'Text'),
    h('option', { value: 'group' }, 'Text in a group'),
    ...MEDIA_KINDS.map((m) => h('option', { value: m.kind }, m.label)),
  );
  const groupSel = h('select', { id: id('group'), 'data-testid': 'sim-group' });
  const groupField = labelled('Group', groupSel);
  const text = h('input', { id: 'sim-text', type: 'text', placeholder: 'Hello from the simulator', maxlength: 4096, 'data-testid': 'sim-text' });
  const textLabel = h('label', { for: 'sim-text' }, 'Message');
  const file = h('input', { id: id('file'), type: 'file', 'data-testid': 'sim-file' });
  const fileField = h('div', { class: 'sim-field' }, h('label', { for: file.id }, 'File (optional: a sample is sent without one)'), file);
  const sendBtn = h('button', { type: 'submit', class: 'btn' }, 'Deliver');
  const deliver = h(
    'form',
    { class: 'sim-deliver' },
    labelled('From', fromSel),
    labelled('What', kindSel),
    groupField,
    h('div', { class: 'sim-field' }, textLabel, text),
    fileField,
    h('div', { class: 'inline' }, sendBtn),
  );
  const syncKind = () => {
    const kind = kindSel.value;
    groupField.hidden = kind !== 'group';
    fileField.hidden = kind === 'text' || kind === 'group';
    textLabel.textContent = kind === 'text' || kind === 'group' ? 'Message' : 'Caption (optional)';
  };
  kindSel.addEventListener('change', syncKind);
  syncKind();
  deliver.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      const kind = kindSel.value;
      const from = fromSel.value || undefined;
      const typed = text.value;
      const words = typed.trim();
      let ok: boolean;
      if (kind === 'text') ok = await call('Deliver message', '/api/simulator/deliver', { ...(from ? { from } : {}), text: words || 'Hello from the simulator' }, sendBtn);
      else if (kind === 'group') {
        ok = await call('Deliver group message', '/api/simulator/deliver-group', { ...(from ? { from } : {}), ...(groupSel.value ? { group: groupSel.value } : {}), text: words || 'Hello, group' }, sendBtn);
      } else {
        const body: Record<string, unknown> = { kind, ...(from ? { from } : {}), ...(words ? { caption: words } : {}) };
        const f = file.files?.[0];
        if (f) {
          if (f.size > 700_000) return say('Deliver media: the file is over 700 KB; pick a smaller one.', false);
          body.dataBase64 = await base64(f);
          body.mimetype = f.type || 'application/octet-stream';
          body.fileName = f.name;
        }
        ok = await call(`Deliver ${kind}`, '/api/simulator/deliver-media', body, sendBtn);
      }
      // Only what was sent is cleared: something typed meanwhile stays.
      if (ok && text.value === typed) text.value = '';
      if (ok) file.value = '';
    })();
  });

  // ── faults ─────────────────────────────────────────────────────
  const faults = h('div', { class: 'faults' });
  const faultBtn = (kind: string, label: string, help: string, body: () => Record<string, unknown>) => {
    const b = h('button', { type: 'button', class: 'btn btn-small', 'data-fault': kind, title: help }, label);
    b.addEventListener('click', () => void call(label, '/api/simulator/fault', { kind, ...body() }, b));
    return b;
  };
  const codeList = h('datalist', { id: id('codes') }, ...CODES.map((c) => h('option', { value: c }, closeWords(c))));
  const codeInput = (testid: string, value: number) =>
    h('input', { id: id(testid), type: 'number', min: 100, max: 999, step: 1, value, list: codeList.id, inputmode: 'numeric', class: 'code-input', 'data-testid': testid });
  const streamCode = codeInput('sim-stream-code', 503);
  const failureCode = codeInput('sim-failure-code', 401);
  const codeOf = (input: HTMLInputElement) => {
    const n = Number(input.value);
    return Number.isInteger(n) && n >= 100 && n <= 999 ? n : undefined;
  };
  const row = (...children: (Node | string)[]) => h('div', { class: 'fault-row' }, ...children);

  /** A switch fault: one button that turns it on and off (the simulator keeps it until told otherwise). */
  const toggle = (kind: string, label: string, help: string, extra: () => Record<string, unknown> = () => ({})) => {
    const b = h('button', { type: 'button', class: 'btn btn-small', 'data-fault': kind, 'aria-pressed': 'false', title: help }, `${label}: off`);
    b.addEventListener('click', () => {
      const on = b.getAttribute('aria-pressed') !== 'true';
      void call(`${label} ${on ? 'on' : 'off'}`, '/api/simulator/fault', { kind, enabled: on, ...(on ? extra() : {}) }, b).then((ok) => {
        if (!ok) return;
        b.setAttribute('aria-pressed', String(on));
        b.textContent = `${label}: ${on ? 'on' : 'off'}`;
      });
    });
    return b;
  };
  const slowMs = h('input', { id: id('slow'), type: 'number', min: 0, max: 120000, step: 100, value: 1500, class: 'code-input', 'data-testid': 'sim-slow-ms' });
  const collection = h('select', { id: id('collection'), 'data-testid': 'sim-collection' }, ...COLLECTIONS.map((c) => h('option', { value: c }, c)));
  const repairable = h('input', { id: id('repairable'), type: 'checkbox', checked: true, 'data-testid': 'sim-repairable' });
  const refusal = h(
    'select',
    { id: id('refusal'), 'data-testid': 'sim-refusal-code' },
    h('option', { value: '463' }, '463 reachout timelock'),
    h('option', { value: '429' }, '429 rate overlimit'),
  );

  faults.append(
    codeList,
    row(faultBtn('close', 'Drop the socket (428)', 'the TCP connection dies without a word', () => ({}))),
    row(faultBtn('xmlstreamend', 'End the stream (428)', 'the server closes the stream politely', () => ({}))),
    row(
      faultBtn('stream-error', 'Stream error with code', 'the server sends <stream:error code=…>: the client closes with that code', () => ({ code: codeOf(streamCode) })),
      h('label', { for: streamCode.id, class: 'sr-only' }, 'Stream error code'),
      streamCode,
    ),
    row(
      faultBtn('failure', 'Login failure with code', 'the server answers the login with <failure reason=…>', () => ({ code: codeOf(failureCode) })),
      h('label', { for: failureCode.id, class: 'sr-only' }, 'Login failure code'),
      failureCode,
    ),
    row(faultBtn('conflict', 'Replaced by another session (440)', 'another client took over this login', () => ({}))),
    row(faultBtn('logout', 'Phone unlinks this device (401)', 'the user removed this device under Linked devices', () => ({}))),
    row(toggle('silence', 'Silence', 'the server stops answering, pings included (dead socket → 408)')),
    row(toggle('refuse', 'Refuse new connections', 'new connections are reset at the upgrade')),
    row(toggle('slow', 'Slow answers', 'every answer is delayed', () => ({ delayMs: Number(slowMs.value) || 0 })), h('label', { for: slowMs.id }, 'delay ms'), slowMs),
    row(
      faultBtn('refuse-sends', 'Refuse the next send', 'WhatsApp answers the next message sent with an error ack; it reaches nobody', () => ({ code: Number(refusal.value), count: 1 })),
      h('label', { for: refusal.id, class: 'sr-only' }, 'Refusal code'),
      refusal,
    ),
    row(
      faultBtn('corrupt-app-state', 'Corrupt app state', 'an undecodable app-state patch is pushed', () => ({ collection: collection.value, repairable: repairable.checked })),
      h('label', { for: collection.id, class: 'sr-only' }, 'Collection'),
      collection,
      h('label', { class: 'check-label' }, repairable, ' phone repairs it'),
    ),
  );

  const el = h(
    'section',
    { class: 'card sim-card', hidden: true, 'data-testid': 'simulator-panel', 'aria-labelledby': 'sim-h' },
    h('h2', { id: 'sim-h', class: 'card-title' }, 'Simulator'),
    h('p', { class: 'small muted' }, 'This server talks to the built-in WhatsApp simulator, not to WhatsApp.'),
    scanBtn,
    h('h3', { class: 'sub-title' }, 'Link with phone number'),
    pairForm,
    h('h3', { class: 'sub-title' }, 'Deliver a message'),
    deliver,
    h('h3', { class: 'sub-title' }, 'Inject a fault'),
    faults,
    out,
  );

  // Visible only when the simulator answers (404 = simulator off).
  void getJson<{ phone?: { number?: string }; contacts?: SimContact[]; groups?: SimGroup[] }>('/api/simulator/contacts')
    .then((r) => {
      if (r.phone?.number) phoneNumber.textContent = `+${r.phone.number}`;
      for (const c of r.contacts ?? []) fromSel.append(h('option', { value: c.jid }, c.name ? `${c.name} (${displayJid(c.jid)})` : displayJid(c.jid)));
      for (const g of r.groups ?? []) groupSel.append(h('option', { value: g.jid }, g.subject));
      if ((r.groups ?? []).length === 0) kindSel.querySelector('option[value=group]')?.remove();
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

async function base64(f: File): Promise<string> {
  const bytes = new Uint8Array(await f.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
