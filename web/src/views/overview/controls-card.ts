/**
 * Operator commands, named in words with what each does, enabled only when the supervisor accepts them
 * (see commands.ts), and what followed each one.
 */
import { stepText } from '../../diagram/words.js';
import { describeError } from '../../api.js';
import { clear, h } from '../../dom.js';
import type { LiveState } from '../../live.js';
import { COMMANDS, runCommand, unavailable, type Command } from './commands.js';
import { Disposer, type Component } from './component.js';
import { describeMove } from './transitions.js';

const ORDER: Command[] = ['RESTART', 'FORCE_RESYNC', 'RESET', 'LOGOUT'];

export function controlsCard(live: LiveState): Component {
  const d = new Disposer();
  const result = h('div', { class: 'control-result', 'data-testid': 'control-result', 'aria-live': 'polite' });
  let watching: { until: number; lines: HTMLElement } | null = null;
  const busy = new Set<Command>();
  const rows: { command: Command; btn: HTMLButtonElement; why: HTMLElement }[] = [];

  const run = async (command: Command) => {
    const info = COMMANDS[command];
    busy.add(command);
    sync();
    // Collect the transitions from now on: the stream may deliver them before the POST answers.
    // Not announced line by line: the state change itself is announced once by the page.
    const lines = h('ul', { class: 'result-transitions', 'aria-label': 'Resulting transitions', 'aria-live': 'off' });
    try {
      watching = { until: Date.now() + 6000, lines };
      const r = await runCommand(command);
      if (!r) {
        watching = null;
        return;
      }
      clear(result);
      result.className = 'control-result ok';
      result.append(h('p', null, h('strong', null, `${info.label.replace(/…$/, '')}: accepted.`), ` State now: ${r.state}.`), lines);
    } catch (err) {
      watching = null;
      clear(result);
      result.className = 'control-result err';
      result.append(h('p', { role: 'alert' }, describeError(err)));
    } finally {
      busy.delete(command);
      sync();
    }
  };

  const list = h('ul', { class: 'controls' });
  for (const command of ORDER) {
    const info = COMMANDS[command];
    const whyId = `ctl-why-${command}`;
    const cls = command === 'RESTART' ? 'btn btn-primary' : command === 'LOGOUT' ? 'btn btn-danger' : 'btn';
    const btn = h('button', { type: 'button', class: cls, 'data-testid': info.testid, 'data-command': command, 'aria-describedby': whyId }, info.label);
    const why = h('span', { class: 'ctl-does small muted', id: whyId });
    btn.addEventListener('click', () => void run(command));
    rows.push({ command, btn, why });
    list.append(h('li', { class: 'ctl-row' }, btn, why));
  }

  /** Enabled exactly when the supervisor accepts the command; a disabled one says why. */
  const sync = () => {
    for (const { command, btn, why } of rows) {
      const no = unavailable(live, command);
      btn.disabled = no !== null || busy.has(command);
      why.textContent = no ? `${COMMANDS[command].does} ${no}` : COMMANDS[command].does;
      why.classList.toggle('ctl-off', no !== null);
    }
  };

  const el = h('section', { class: 'card', 'aria-labelledby': 'ctl-h' }, h('h2', { id: 'ctl-h', class: 'card-title' }, 'Controls'), list, result);

  d.add(
    live.subscribe({
      transition: (t) => {
        if (watching && Date.now() < watching.until) {
          watching.lines.append(h('li', null, stepText(t, live.detail(t)), h('span', { class: 'muted' }, ` (${t.actor}: ${describeMove(t)})`)));
        }
      },
      status: sync,
      link: sync,
    }),
  );
  sync();
  return { el, dispose: d.dispose };
}
