/** Operator commands (restart, force resync, reset, WhatsApp logout) and what followed each one. */
import { describeError, postJson } from '../../api.js';
import { clear, confirmDialog, h } from '../../dom.js';
import { eventLabel } from '../../format.js';
import type { LiveState } from '../../live.js';
import { Disposer, type Component } from './component.js';
import { describeTransition } from './transitions.js';

export function controlsCard(live: LiveState): Component {
  const d = new Disposer();
  const result = h('div', { class: 'control-result', 'data-testid': 'control-result', 'aria-live': 'polite' });
  let watching: { command: string; until: number; lines: HTMLElement } | null = null;
  const runCommand = async (path: string, command: string, label: string, btn: HTMLButtonElement) => {
    busy.add(btn);
    sync();
    clear(result);
    result.className = 'control-result';
    // Collect the transitions from now on: the stream may deliver them before the POST answers.
    // Not announced line by line: the state change itself is announced once by the page.
    const lines = h('ul', { class: 'result-transitions', 'aria-label': 'Resulting transitions', 'aria-live': 'off' });
    watching = { command, until: Date.now() + 6000, lines };
    try {
      const r = await postJson<{ state: string }>(path);
      result.classList.add('ok');
      result.append(h('p', null, h('strong', null, `${label}: accepted.`), ` State now: ${r.state}.`), lines);
    } catch (err) {
      watching = null;
      result.classList.add('err');
      result.append(h('p', { role: 'alert' }, describeError(err)));
    } finally {
      busy.delete(btn);
      sync();
    }
  };
  const buttons: HTMLButtonElement[] = [];
  const busy = new Set<HTMLButtonElement>();
  /** Nothing can be commanded while the server is unreachable (or while the command itself is running). */
  const sync = () => {
    const offline = live.link !== 'live' && live.lostAt !== null;
    for (const b of buttons) {
      b.disabled = offline || busy.has(b);
      b.title = offline ? 'The server is unreachable' : '';
    }
  };
  const mkBtn = (text: string, cls: string, testid: string, onClick: (b: HTMLButtonElement) => void) => {
    const b = h('button', { type: 'button', class: `btn ${cls}`, 'data-testid': testid }, text);
    b.addEventListener('click', () => onClick(b));
    buttons.push(b);
    return b;
  };
  const el = h(
    'section',
    { class: 'card', 'aria-labelledby': 'ctl-h' },
    h('h2', { id: 'ctl-h', class: 'card-title' }, 'Controls'),
    h(
      'div',
      { class: 'controls' },
      mkBtn('Restart', 'btn-primary', 'btn-restart', (b) => void runCommand('/api/restart-wa', 'RESTART', 'Restart', b)),
      mkBtn('Force resync', '', 'btn-resync', (b) => void runCommand('/api/force-resync', 'FORCE_RESYNC', 'Force resync', b)),
      mkBtn('Reset budget', '', 'btn-reset', (b) => {
        void confirmDialog({
          title: 'Reset the supervisor?',
          body: 'This clears the restart budget and any stuck state, and starts a fresh connection worker.',
          confirm: 'Reset',
        }).then((ok) => {
          if (ok) void runCommand('/api/reset', 'RESET', 'Reset', b);
        });
      }),
      mkBtn('Log out…', 'btn-danger', 'btn-logout-wa', (b) => {
        void confirmDialog({
          title: 'Unlink this WhatsApp account?',
          body: 'The server logs out of WhatsApp and forgets its pairing (your message history stays). You will need to scan a new QR code to link again.',
          confirm: 'Log out WhatsApp',
          danger: true,
        }).then((ok) => {
          if (ok) void runCommand('/api/logout', 'LOGOUT', 'Logout', b);
        });
      }),
    ),
    result,
  );

  d.add(
    live.subscribe({
      transition: (t) => {
        if (watching && Date.now() < watching.until) {
          watching.lines.append(h('li', null, h('span', { class: 'ev' }, eventLabel(t.event)), ` ${describeTransition(t)}`));
        }
      },
      link: sync,
    }),
  );
  sync();
  return { el, dispose: d.dispose };
}
