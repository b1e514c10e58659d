/**
 * Runtime settings (SPEC §5): validated and applied live by the server. Field errors from the API's 400
 * are shown inline next to the field they name. The upload token is write-only: the server only says
 * whether one is set.
 */
import { ApiError, describeError, getJson, postJson } from '../api.js';
import { clear, confirmDialog, h, toast } from '../dom.js';
import type { LiveState } from '../live.js';
import type { Settings } from '../types.js';
import type { Component } from './overview/component.js';

type FieldType = 'text' | 'url' | 'number' | 'integer' | 'boolean';
interface FieldDef {
  key: keyof Settings | 'upload_token';
  label: string;
  type: FieldType;
  help: string;
  min?: number;
  max?: number;
  group: string;
}

export const FIELDS: FieldDef[] = [
  { key: 'media_public_base_url', label: 'Public media base URL', type: 'url', group: 'Media', help: 'Prefix for media links handed to clients, e.g. https://wa.example.com. Empty = links relative to this server.' },
  { key: 'auto_download_media', label: 'Download incoming media automatically', type: 'boolean', group: 'Media', help: 'Fetch media of new messages in the background.' },
  { key: 'auto_download_max_mb', label: 'Auto-download size limit (MB)', type: 'number', min: 0, max: 2048, group: 'Media', help: '0–2048. Larger files are left for an explicit download.' },
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
  const inputs = new Map<string, HTMLInputElement>();
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
    dirty = inputs.size > 0 && (Object.keys(collect()).length > 0 || clearToken);
    dirtyNote.hidden = !dirty;
    syncSave();
  };

  const showBanner = (text: string, kind: 'error' | 'ok' | 'info') => {
    banner.hidden = false;
    banner.textContent = text;
    banner.className = `banner banner-${kind}`;
    banner.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  };

  const build = (s: Settings) => {
    current = s;
    clear(form);
    inputs.clear();
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
      const err = h('p', { class: 'field-error', id: `${id}-err`, 'data-error-for': f.key, hidden: true });
      const help = h('p', { class: 'field-help', id: `${id}-help` }, f.help);
      let input: HTMLInputElement;
      if (f.type === 'boolean') {
        input = h('input', { id, name: f.key, type: 'checkbox', checked: Boolean(s[f.key as keyof Settings]), 'aria-describedby': `${id}-help ${id}-err` });
        fs!.append(h('div', { class: 'field field-check' }, input, h('div', null, h('label', { for: id }, f.label), help, err)));
      } else if (f.key === 'upload_token') {
        input = h('input', {
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
      } else {
        const v = s[f.key as keyof Settings];
        input = h('input', {
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
      }
      input.addEventListener('input', () => {
        setError(f.key, null);
        markDirty();
      });
      input.addEventListener('change', () => {
        // Say what is wrong as soon as the operator leaves a field, not only after Save — unless they left it
        // by pressing a button: the message would push that button away under the pointer (Save checks anyway).
        if (f.type !== 'boolean' && f.key !== 'upload_token' && !pressingButton) setError(f.key, checkField(f, input.value));
        markDirty();
      });
      inputs.set(f.key, input);
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

  const setError = (key: string, msg: string | null) => {
    const e = errors.get(key);
    const i = inputs.get(key);
    if (!e || !i) return;
    e.hidden = msg === null;
    e.textContent = msg ?? '';
    if (msg) i.setAttribute('aria-invalid', 'true');
    else i.removeAttribute('aria-invalid');
  };

  /**
   * Only the fields the operator changed: an update persists what it names (defaults < env < file < API),
   * so re-sending untouched values would pin today's env-derived values into the settings file.
   */
  const collect = (): Record<string, unknown> => {
    const body: Record<string, unknown> = {};
    for (const f of FIELDS) {
      const i = inputs.get(f.key)!;
      if (f.key === 'upload_token') {
        if (i.value !== '') body.upload_token = i.value;
        else if (clearToken) body.upload_token = '';
        continue;
      }
      let v: unknown;
      if (f.type === 'boolean') v = i.checked;
      else if (f.type === 'number' || f.type === 'integer') v = i.value.trim() === '' ? null : Number(i.value);
      else v = i.value.trim();
      if (!current || current[f.key as keyof Settings] !== v) body[f.key] = v;
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
      if (f.type === 'boolean' || f.key === 'upload_token') continue;
      const problem = checkField(f, inputs.get(f.key)?.value ?? '');
      if (problem) {
        setError(f.key, problem);
        firstBad ??= f.key;
      }
    }
    if (firstBad) {
      inputs.get(firstBad)?.focus();
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
          const first = Object.keys(fe)[0];
          if (first) inputs.get(first)?.focus();
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
