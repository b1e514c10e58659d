/**
 * Runtime settings (SPEC §5): validated and applied live by the server. Field errors from the API's 400
 * are shown inline next to the field they name. The upload token is write-only: the server only says
 * whether one is set. Send safety (issue #15) is edited here too: the mode, the chat lists (one chat per
 * line, phone numbers accepted) and pacing; the Safety page shows the policy in force and links here.
 */
import { ApiError, describeError, getJson, postJson } from '../api.js';
import { clear, confirmDialog, h, toast } from '../dom.js';
import type { LiveState } from '../live.js';
import type { Settings } from '../types.js';
import type { Component } from './overview/component.js';
import { parseJidLines, SEND_MODES } from './safety/words.js';

type FieldType = 'text' | 'url' | 'number' | 'integer' | 'boolean' | 'choice' | 'jids';
interface FieldDef {
  key: keyof Settings | 'upload_token';
  label: string;
  type: FieldType;
  help: string;
  min?: number;
  max?: number;
  group: string;
  /** For `choice`: each value with what it does, one line each. */
  choices?: { value: string; label: string; does: string }[];
}

const JIDS_HELP = 'One chat per line: a phone number with its country code (+44 7700 900123) or a chat JID (…@s.whatsapp.net, …@g.us, …@lid).';

export const FIELDS: FieldDef[] = [
  { key: 'send_mode', label: 'What agents may send', type: 'choice', group: 'Send safety', help: 'Applies to every write tool (messages, media, reactions, group changes…).', choices: SEND_MODES.map((m) => ({ value: m.value, label: m.label, does: m.does })) },
  { key: 'approve_new_recipients', label: 'First messages to new chats need approval', type: 'boolean', group: 'Send safety', help: 'In Allow mode too: a chat this server never wrote to before waits for a person.' },
  { key: 'pending_expiry_hours', label: 'Approvals expire after (hours)', type: 'number', min: 0.01, max: 720, group: 'Send safety', help: '0.01–720. A write nobody approved in time is dropped and the agent is told.' },
  { key: 'read_allow', label: 'Only these chats are visible to agents', type: 'jids', group: 'Chat rules', help: `${JIDS_HELP} Empty = every chat.` },
  { key: 'read_deny', label: 'Hidden from agents', type: 'jids', group: 'Chat rules', help: `${JIDS_HELP} They never appear in any tool output, resource or search hit (and are never written to).` },
  { key: 'write_allow', label: 'Only these chats may be written to', type: 'jids', group: 'Chat rules', help: `${JIDS_HELP} Empty = every chat.` },
  { key: 'write_deny', label: 'Never written to', type: 'jids', group: 'Chat rules', help: JIDS_HELP },
  { key: 'pacing_enabled', label: 'Pace sends like a careful person', type: 'boolean', group: 'Pacing', help: 'Over a limit a send waits in the outbox for its turn (the limits below); off = no spacing at all.' },
  { key: 'pace_chat_interval_s', label: 'Seconds between two sends to one chat', type: 'number', min: 0, max: 3600, group: 'Pacing', help: '0–3600.' },
  { key: 'pace_per_minute', label: 'Sends per minute (all chats)', type: 'integer', min: 0, max: 10_000, group: 'Pacing', help: '0–10000; 0 = no limit.' },
  { key: 'pace_per_hour', label: 'Sends per hour (all chats)', type: 'integer', min: 0, max: 100_000, group: 'Pacing', help: '0–100000; 0 = no limit.' },
  { key: 'pace_new_recipients_per_day', label: 'First messages to new chats per day', type: 'integer', min: 0, max: 10_000, group: 'Pacing', help: '0–10000; 0 = no limit. Cold outreach is what gets numbers restricted.' },
  { key: 'pace_typing', label: 'Show “typing…” before a text', type: 'boolean', group: 'Pacing', help: 'For a time that grows with the text’s length (at most 4 s).' },
  { key: 'pace_jitter_ms', label: 'Random extra delay (ms)', type: 'integer', min: 0, max: 60_000, group: 'Pacing', help: '0–60000, added to each paced send.' },
  { key: 'link_method', label: 'How a new device links', type: 'choice', group: 'Linking', help: 'Used the next time this server links to a phone.', choices: [
    { value: 'qr', label: 'QR code', does: 'Scan it with the phone: WhatsApp → Linked devices → Link a device.' },
    { value: 'code', label: 'Pairing code', does: 'Type an 8-character code on the phone instead (Link with phone number), for when scanning is not possible.' },
  ] },
  { key: 'media_public_base_url', label: 'Public media base URL', type: 'url', group: 'Media', help: 'Prefix for media links handed to clients, e.g. https://wa.example.com. Empty = links relative to this server.' },
  { key: 'auto_download_media', label: 'Download incoming media automatically', type: 'boolean', group: 'Media', help: 'Fetch media of new messages in the background.' },
  { key: 'auto_download_max_mb', label: 'Auto-download size limit (MB)', type: 'number', min: 0, max: 2048, group: 'Media', help: '0–2048. Larger files are left for an explicit download.' },
  { key: 'inline_image_max_mb', label: 'Largest image returned inline (MB)', type: 'number', min: 0.01, max: 50, group: 'Media', help: '0.01–50. get_media hands larger images over downscaled or as a link.' },
  { key: 'upload_enabled', label: 'Accept uploads', type: 'boolean', group: 'Uploads', help: 'POST /api/upload and /api/upload-multipart.' },
  { key: 'upload_max_mb', label: 'Maximum upload size (MB)', type: 'number', min: 1, max: 2048, group: 'Uploads', help: '1–2048.' },
  { key: 'max_files_per_upload', label: 'Files per multipart upload', type: 'integer', min: 1, max: 100, group: 'Uploads', help: '1–100.' },
  { key: 'require_upload_token', label: 'Require the upload token', type: 'boolean', group: 'Uploads', help: 'Upload clients must send the token below.' },
  { key: 'upload_token', label: 'Upload token', type: 'text', group: 'Uploads', help: 'Write-only: it is never shown again after saving.' },
  { key: 'auto_select_contact', label: 'Auto-select a clear contact match', type: 'boolean', group: 'Contacts', help: 'get_chat_by_contact picks the best match when it is unambiguous.' },
];

/**
 * A validator's message as a person would say it: "Too small: expected number to be >=1" → "Must be at
 * least 1." Anything not recognised keeps its words, as a sentence.
 */
export function humanFieldError(message: string): string {
  const m = message.trim().replace(/^invalid setting \w+:\s*/i, '');
  const rules: [RegExp, (x: RegExpExecArray) => string][] = [
    [/too big: expected string to have <=\s*(\d+)/i, (x) => `at most ${x[1]} characters`],
    [/too small.*?>=\s*(-?[\d.]+)/i, (x) => `at least ${x[1]}`],
    [/too small.*?>\s*(-?[\d.]+)/i, (x) => `more than ${x[1]}`],
    [/too big.*?<=\s*(-?[\d.]+)/i, (x) => `at most ${x[1]}`],
    [/too big.*?<\s*(-?[\d.]+)/i, (x) => `less than ${x[1]}`],
    [/expected int\b|not an integer|expected an integer/i, () => 'a whole number'],
    [/expected number/i, () => 'a number'],
    [/expected boolean/i, () => 'on or off'],
  ];
  for (const [re, say] of rules) {
    const x = re.exec(m);
    if (x) return `Must be ${say(x)}.`;
  }
  const plain = m.replace(/^expected\s+/i, 'Must be ');
  const sentence = plain.charAt(0).toUpperCase() + plain.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/** The same rules the server applies, checked before sending so the operator sees them at once. */
export function checkField(f: Pick<FieldDef, 'type' | 'min' | 'max'>, raw: string): string | null {
  if (f.type === 'number' || f.type === 'integer') {
    const v = raw.trim();
    const n = Number(v);
    if (v === '' || !Number.isFinite(n)) return 'Must be a number.';
    if (f.type === 'integer' && !Number.isInteger(n)) return 'Must be a whole number.';
    if (f.min !== undefined && n < f.min) return `Must be at least ${f.min}.`;
    if (f.max !== undefined && n > f.max) return `Must be at most ${f.max}.`;
  }
  if (f.type === 'url' && raw.trim() !== '') {
    try {
      const u = new URL(raw.trim());
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'Must start with http:// or https://.';
    } catch {
      return 'Must be a full address such as https://wa.example.com, or empty.';
    }
  }
  return null;
}

/** Field → message pairs from whatever shape the server's `details` takes (zod issues, flatten(), {field}). */
export function fieldErrors(err: ApiError, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (field: unknown, msg: unknown) => {
    const f = Array.isArray(field) ? String(field[0] ?? '') : typeof field === 'string' ? field : '';
    const m = Array.isArray(msg) ? msg.map(String).join('; ') : typeof msg === 'string' ? msg : err.message;
    if (f && keys.includes(f) && !out[f]) out[f] = m;
  };
  const visit = (d: unknown) => {
    if (!d) return;
    if (Array.isArray(d)) {
      for (const i of d) if (i && typeof i === 'object') add((i as { path?: unknown; field?: unknown }).path ?? (i as { field?: unknown }).field, (i as { message?: unknown }).message);
      return;
    }
    if (typeof d !== 'object') return;
    const o = d as Record<string, unknown>;
    // Per-issue messages first (they are the specific ones), then a top-level {field, message}.
    if (o.issues) visit(o.issues);
    if (o.errors) visit(o.errors);
    if (o.fieldErrors) visit(o.fieldErrors);
    if (o.field !== undefined || o.path !== undefined) add(o.field ?? o.path, o.message ?? o.error);
    for (const k of keys) if (k in o && (typeof o[k] === 'string' || Array.isArray(o[k]))) add(k, o[k]);
  };
  visit(err.details);
  if (Object.keys(out).length === 0) {
    const named = keys.find((k) => err.message.includes(k));
    if (named) out[named] = err.message;
  }
  return out;
}

/**
 * Errors the server names by list position ("read_allow.2": the third JID sent): key, index, message.
 * They come as `details.issues: [{field, message}]` (SettingsValidationError).
 */
export function listItemErrors(err: ApiError): { key: string; index: number; message: string }[] {
  const d = err.details as { issues?: unknown } | undefined;
  const issues = Array.isArray(d?.issues) ? (d.issues as { field?: unknown; message?: unknown }[]) : [];
  const out: { key: string; index: number; message: string }[] = [];
  for (const i of issues) {
    const m = typeof i.field === 'string' ? /^(\w+)\.(\d+)$/.exec(i.field) : null;
    if (m) out.push({ key: m[1]!, index: Number(m[2]), message: typeof i.message === 'string' ? i.message : err.message });
  }
  return out;
}

/** One form control, whatever its kind: what it holds, how to flag it, where focus goes. */
interface Control {
  focus(): void;
  /** The text typed (number, URL and text fields: checked by {@link checkField}). */
  raw(): string;
  /** The value as the API takes it. */
  value(): unknown;
  invalid(on: boolean): void;
}

const same = (a: unknown, b: unknown) => (Array.isArray(a) || Array.isArray(b) ? JSON.stringify(a) === JSON.stringify(b) : a === b);

export function settingsView(live?: LiveState): Component & { canLeave(): Promise<boolean> } {
  const banner = h('div', { class: 'banner', hidden: true, role: 'alert', 'data-testid': 'settings-banner' });
  const form = h('form', { class: 'settings-form', novalidate: true, 'data-testid': 'settings-form' });
  const el = h(
    'section',
    { class: 'card settings-card', 'aria-labelledby': 'set-h' },
    h('h2', { id: 'set-h', class: 'card-title' }, 'Settings'),
    h('p', { class: 'muted small' }, 'Changes apply immediately; no restart needed.'),
    banner,
    form,
  );
  const controls = new Map<string, Control>();
  const errors = new Map<string, HTMLElement>();
  let current: Settings | null = null;
  let tokenState: HTMLElement | null = null;
  let clearToken = false;
  let dirty = false;
  let pressingButton = false;
  let saving = false;
  const dirtyNote = h('span', { class: 'dirty-note small', hidden: true, 'data-testid': 'settings-dirty' }, 'Unsaved changes');

  /** Save needs a change and a reachable server. */
  const syncSave = () => {
    const save = form.querySelector<HTMLButtonElement>('button[type=submit]');
    if (!save) return;
    const offline = live !== undefined && live.link !== 'live' && live.lostAt !== null;
    save.disabled = saving || offline;
    save.title = offline ? 'The server is unreachable' : '';
  };
  const markDirty = () => {
    dirty = controls.size > 0 && (Object.keys(collect()).length > 0 || clearToken);
    dirtyNote.hidden = !dirty;
    syncSave();
  };

  const showBanner = (text: string, kind: 'error' | 'ok' | 'info') => {
    banner.hidden = false;
    banner.textContent = text;
    banner.className = `banner banner-${kind}`;
    banner.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  };

  /** A plain input: checkbox, number, URL, text. */
  const inputControl = (input: HTMLInputElement, f: FieldDef): Control => ({
    focus: () => input.focus(),
    raw: () => input.value,
    value: () => (f.type === 'boolean' ? input.checked : f.type === 'number' || f.type === 'integer' ? (input.value.trim() === '' ? null : Number(input.value)) : input.value.trim()),
    invalid: (on) => (on ? input.setAttribute('aria-invalid', 'true') : input.removeAttribute('aria-invalid')),
  });

  /** Radios, one per value, each with what it does. */
  const choiceField = (f: FieldDef, value: string, id: string): { el: HTMLElement; control: Control; inputs: HTMLInputElement[] } => {
    const radios: HTMLInputElement[] = [];
    const options = (f.choices ?? []).map((c) => {
      const rid = `${id}-${c.value}`;
      const r = h('input', { type: 'radio', id: rid, name: f.key, value: c.value, checked: c.value === value, 'aria-describedby': `${rid}-does` });
      radios.push(r);
      return h('div', { class: 'choice' }, r, h('div', null, h('label', { for: rid }, c.label), h('p', { class: 'field-help', id: `${rid}-does` }, c.does)));
    });
    const group = h('div', { class: 'choice-list', role: 'radiogroup', 'aria-labelledby': `${id}-label`, 'aria-describedby': `${id}-help ${id}-err`, 'data-testid': `choice-${f.key}` }, ...options);
    const control: Control = {
      focus: () => (radios.find((r) => r.checked) ?? radios[0])?.focus(),
      raw: () => radios.find((r) => r.checked)?.value ?? '',
      value: () => radios.find((r) => r.checked)?.value ?? value,
      invalid: (on) => (on ? group.setAttribute('aria-invalid', 'true') : group.removeAttribute('aria-invalid')),
    };
    const wrap = h('div', { class: 'field' }, h('span', { class: 'field-label', id: `${id}-label` }, f.label), h('p', { class: 'field-help', id: `${id}-help` }, f.help), group);
    return { el: wrap, control, inputs: radios };
  };

  /** A chat list: one JID or phone number per line. */
  const jidsField = (f: FieldDef, value: string[], id: string): { el: HTMLElement; control: Control; area: HTMLTextAreaElement } => {
    const area = h('textarea', {
      id,
      name: f.key,
      rows: Math.min(8, Math.max(3, value.length + 1)),
      spellcheck: 'false',
      autocomplete: 'off',
      placeholder: 'e.g. +44 7700 900123',
      'aria-describedby': `${id}-help ${id}-err`,
    });
    area.value = value.join('\n');
    const count = h('span', { class: 'tag', 'data-testid': `count-${f.key}` }, value.length === 0 ? 'empty' : `${value.length} chat${value.length === 1 ? '' : 's'}`);
    const control: Control = {
      focus: () => area.focus(),
      raw: () => area.value,
      value: () => parseJidLines(area.value).jids,
      invalid: (on) => (on ? area.setAttribute('aria-invalid', 'true') : area.removeAttribute('aria-invalid')),
    };
    return { el: h('div', { class: 'field' }, h('div', { class: 'label-row' }, h('label', { for: id }, f.label), count), area, h('p', { class: 'field-error', id: `${id}-err`, 'data-error-for': f.key, hidden: true }), h('p', { class: 'field-help', id: `${id}-help` }, f.help)), control, area };
  };

  const build = (s: Settings) => {
    current = s;
    clear(form);
    controls.clear();
    errors.clear();
    let group = '';
    let fs: HTMLFieldSetElement | null = null;
    for (const f of FIELDS) {
      if (f.group !== group) {
        group = f.group;
        fs = h('fieldset', null, h('legend', null, group));
        form.append(fs);
      }
      const id = `set-${f.key}`;
      const help = h('p', { class: 'field-help', id: `${id}-help` }, f.help);
      let err = h('p', { class: 'field-error', id: `${id}-err`, 'data-error-for': f.key, hidden: true });
      let control: Control;
      let watched: (HTMLInputElement | HTMLTextAreaElement)[];
      if (f.type === 'choice') {
        const c = choiceField(f, String(s[f.key as keyof Settings] ?? ''), id);
        c.el.append(err);
        fs!.append(c.el);
        control = c.control;
        watched = c.inputs;
      } else if (f.type === 'jids') {
        const v = s[f.key as keyof Settings];
        const c = jidsField(f, Array.isArray(v) ? v.map(String) : [], id);
        err = c.el.querySelector<HTMLParagraphElement>('.field-error')!;
        fs!.append(c.el);
        control = c.control;
        watched = [c.area];
      } else if (f.type === 'boolean') {
        const input = h('input', { id, name: f.key, type: 'checkbox', checked: Boolean(s[f.key as keyof Settings]), 'aria-describedby': `${id}-help ${id}-err` });
        fs!.append(h('div', { class: 'field field-check' }, input, h('div', null, h('label', { for: id }, f.label), help, err)));
        control = inputControl(input, f);
        watched = [input];
      } else if (f.key === 'upload_token') {
        const input = h('input', {
          id,
          name: f.key,
          type: 'password',
          autocomplete: 'new-password',
          placeholder: s.upload_token_set ? '•••••••• (set: type a new one to replace it)' : 'Type a token to set one',
          'aria-describedby': `${id}-help ${id}-err`,
        });
        tokenState = h('span', { class: `tag ${s.upload_token_set ? 'tag-ok' : ''}`, 'data-testid': 'token-state' }, s.upload_token_set ? 'set' : 'not set');
        const clearBtn = h('button', { type: 'button', class: 'btn btn-small', hidden: !s.upload_token_set }, 'Remove token');
        clearBtn.addEventListener('click', () => {
          clearToken = true;
          input.value = '';
          tokenState!.textContent = 'will be removed on save';
          tokenState!.className = 'tag tag-warn';
          markDirty();
        });
        fs!.append(h('div', { class: 'field' }, h('label', { for: id }, f.label, ' ', tokenState), h('div', { class: 'inline' }, input, clearBtn), err, help));
        control = inputControl(input, f);
        watched = [input];
      } else {
        const v = s[f.key as keyof Settings];
        const input = h('input', {
          id,
          name: f.key,
          type: f.type === 'url' ? 'url' : f.type === 'text' ? 'text' : 'number',
          value: v === undefined || v === null ? '' : String(v),
          min: f.min,
          max: f.max,
          step: f.type === 'integer' ? 1 : 'any',
          inputmode: f.type === 'integer' ? 'numeric' : f.type === 'number' ? 'decimal' : undefined,
          'aria-describedby': `${id}-help ${id}-err`,
        });
        fs!.append(h('div', { class: 'field' }, h('label', { for: id }, f.label), input, err, help));
        control = inputControl(input, f);
        watched = [input];
      }
      for (const input of watched) {
        input.addEventListener('input', () => {
          setError(f.key, null);
          markDirty();
        });
        input.addEventListener('change', () => {
          // Say what is wrong as soon as the operator leaves a field, not only after Save — unless they left it
          // by pressing a button: the message would push that button away under the pointer (Save checks anyway).
          if (f.type !== 'boolean' && f.type !== 'choice' && f.key !== 'upload_token' && !pressingButton) setError(f.key, check(f, control));
          markDirty();
        });
      }
      controls.set(f.key, control);
      errors.set(f.key, err);
    }
    const save = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'settings-save' }, 'Save settings');
    const reset = h('button', { type: 'button', class: 'btn', 'data-testid': 'settings-discard' }, 'Discard changes');
    reset.addEventListener('click', () => {
      clearToken = false;
      if (current) build(current);
      markDirty();
    });
    form.append(h('div', { class: 'form-actions' }, save, reset, dirtyNote));
    syncSave();
  };

  /** The client-side rules: bounds and URL shape, and for chat lists every line a number or a JID. */
  const check = (f: FieldDef, c: Control): string | null => {
    if (f.type === 'jids') {
      const bad = parseJidLines(c.raw()).problems[0];
      return bad ? `Line ${bad.line}: “${bad.text}” is neither a phone number nor a chat JID (such as 447700900123@s.whatsapp.net or …@g.us).` : null;
    }
    if (f.type === 'boolean' || f.type === 'choice' || f.key === 'upload_token') return null;
    return checkField(f, c.raw());
  };

  const setError = (key: string, msg: string | null) => {
    const e = errors.get(key);
    const c = controls.get(key);
    if (!e || !c) return;
    e.hidden = msg === null;
    e.textContent = msg ?? '';
    c.invalid(msg !== null);
  };

  /**
   * Only the fields the operator changed: an update persists what it names (defaults < env < file < API),
   * so re-sending untouched values would pin today's env-derived values into the settings file.
   */
  const collect = (): Record<string, unknown> => {
    const body: Record<string, unknown> = {};
    for (const f of FIELDS) {
      const c = controls.get(f.key)!;
      if (f.key === 'upload_token') {
        if (c.raw() !== '') body.upload_token = c.raw();
        else if (clearToken) body.upload_token = '';
        continue;
      }
      const v = c.value();
      if (!current || !same(current[f.key as keyof Settings], v)) body[f.key] = v;
    }
    return body;
  };

  form.addEventListener(
    'pointerdown',
    (ev) => {
      if (!(ev.target instanceof Element) || !ev.target.closest('button')) return;
      pressingButton = true;
      const release = () => setTimeout(() => (pressingButton = false), 0);
      window.addEventListener('pointerup', release, { once: true });
      window.addEventListener('pointercancel', release, { once: true });
    },
    true,
  );

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    for (const k of errors.keys()) setError(k, null);
    banner.hidden = true;
    // Client-side first: the same bounds the server enforces, in words.
    let firstBad: string | null = null;
    for (const f of FIELDS) {
      const problem = check(f, controls.get(f.key)!);
      if (problem) {
        setError(f.key, problem);
        firstBad ??= f.key;
      }
    }
    if (firstBad) {
      controls.get(firstBad)?.focus();
      showBanner('Please fix the highlighted field.', 'error');
      return;
    }
    const body = collect();
    if (Object.keys(body).length === 0) {
      showBanner('Nothing to save: no setting was changed.', 'info');
      return;
    }
    saving = true;
    syncSave();
    postJson<Settings | { settings: Settings }>('/api/settings', body)
      .then((r) => {
        const next = 'settings' in r && r.settings ? r.settings : (r as Settings);
        clearToken = false;
        if (next && typeof next === 'object' && 'upload_max_mb' in next) build(next);
        else if (current) build({ ...current, ...(body as Partial<Settings>), upload_token_set: body.upload_token !== undefined ? body.upload_token !== '' : current.upload_token_set });
        showBanner('Settings saved and applied.', 'ok');
        toast('Settings saved', 'ok');
        markDirty();
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 400) {
          const fe = fieldErrors(err, FIELDS.map((f) => f.key));
          for (const [k, m] of Object.entries(fe)) setError(k, humanFieldError(m));
          // A bad entry in a chat list: the line it came from, in the operator's own numbering.
          for (const li of listItemErrors(err)) {
            const f = FIELDS.find((x) => x.key === li.key);
            if (f?.type !== 'jids' || fe[li.key] || errors.get(li.key)?.hidden === false) continue;
            const line = parseJidLines(controls.get(li.key)!.raw()).lines[li.index];
            setError(li.key, `${line === undefined ? '' : `Line ${line}: `}${humanFieldError(li.message)}`);
            fe[li.key] = li.message;
          }
          const first = FIELDS.map((f) => f.key).find((k) => fe[k] !== undefined);
          if (first) controls.get(first)?.focus();
          showBanner(first ? 'Please fix the highlighted field.' : describeError(err), 'error');
        } else showBanner(describeError(err), 'error');
      })
      .finally(() => {
        saving = false;
        syncSave();
      });
  });

  form.append(h('p', { class: 'muted' }, 'Loading…'));
  getJson<Settings | { settings: Settings }>('/api/settings')
    .then((r) => build('settings' in r && r.settings ? r.settings : (r as Settings)))
    .catch((err: unknown) => {
      clear(form);
      form.append(
        h(
          'p',
          { class: err instanceof ApiError && err.notAvailable ? 'muted' : 'error', 'data-testid': 'settings-unavailable' },
          err instanceof ApiError && err.notAvailable ? 'Settings are not available on this server yet.' : `Could not load settings: ${describeError(err)}`,
        ),
      );
    });

  // Leaving with unsaved edits (another tab of the app, a reload, closing the tab) asks first.
  const onUnload = (ev: BeforeUnloadEvent) => {
    if (!dirty) return;
    ev.preventDefault();
    ev.returnValue = '';
  };
  window.addEventListener('beforeunload', onUnload);
  const offLive = live?.subscribe({ link: syncSave });

  return {
    el,
    dispose: () => {
      window.removeEventListener('beforeunload', onUnload);
      offLive?.();
    },
    canLeave: () =>
      dirty
        ? confirmDialog({
            title: 'Leave without saving?',
            body: 'You changed settings that are not saved yet. Leaving discards those changes.',
            confirm: 'Discard changes',
            cancel: 'Keep editing',
            danger: true,
          })
        : Promise.resolve(true),
  };
}
