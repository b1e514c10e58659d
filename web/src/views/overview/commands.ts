/**
 * The operator commands in words, and running one: each is enabled only when the supervisor accepts it now
 * (the summary's `commands`, the same rule the server's 409 uses), and never while the server is unreachable.
 */
import { postJson } from '../../api.js';
import { confirmDialog } from '../../dom.js';
import type { LiveState } from '../../live.js';
import type { StatusSummary } from '../../types.js';
import { STATE_TEXT } from './lifecycle.js';

export type Command = keyof StatusSummary['commands'];

export interface CommandInfo {
  path: string;
  label: string;
  /** What pressing it does, in one sentence (shown under the button). */
  does: string;
  testid: string;
  confirm?: { title: string; body: string; confirm: string; danger?: boolean };
}

export const COMMANDS: Record<Command, CommandInfo> = {
  RESTART: {
    path: '/api/restart-wa',
    label: 'Reconnect now',
    does: 'Closes the connection and opens a fresh one with the same login.',
    testid: 'btn-restart',
  },
  FORCE_RESYNC: {
    path: '/api/force-resync',
    label: 'Resync app state',
    does: 'Downloads contacts, chat settings and labels again; the connection stays up.',
    testid: 'btn-resync',
  },
  RESET: {
    path: '/api/reset',
    label: 'Reset failures and reconnect',
    does: 'Forgets past failures and the restart count, leaves “stuck”, and reconnects — even a healthy connection.',
    testid: 'btn-reset',
    confirm: {
      title: 'Reset failures and reconnect?',
      body: 'This clears the restart budget and the failure history, and closes the current connection to start a fresh one, even if it is healthy now. The WhatsApp link and stored messages are kept.',
      confirm: 'Reset and reconnect',
    },
  },
  LOGOUT: {
    path: '/api/logout',
    label: 'Unlink WhatsApp…',
    does: 'Logs this server out of WhatsApp; linking again needs a new QR scan. Stored messages are kept.',
    testid: 'btn-logout-wa',
    confirm: {
      title: 'Unlink this WhatsApp account?',
      body: 'The server logs out of WhatsApp and forgets its pairing (your message history stays). You will need to scan a new QR code to link again.',
      confirm: 'Log out WhatsApp',
      danger: true,
    },
  },
};

const WHILE: Record<string, string> = {
  connecting: 'while connecting',
  'awaiting-qr': 'until a phone is linked',
  open: 'while connected',
  'soft-resync': 'while the app state is being repaired',
  restarting: 'while restarting',
  stuck: 'while stuck',
};

/** Why a command cannot be used right now, or null when it can. */
export function unavailable(live: LiveState, command: Command): string | null {
  if (live.link !== 'live' && live.lostAt !== null) return 'The server is unreachable.';
  const st = live.status;
  if (!st) return 'Waiting for the server…';
  if (!st.commands[command]) return `Not possible ${WHILE[st.state] ?? `in state ${STATE_TEXT[st.state] ?? st.state}`}.`;
  return null;
}

/** Asks for confirmation where the command has one, then posts it. Resolves with the new state, or throws. */
export async function runCommand(command: Command): Promise<{ state: string } | null> {
  const info = COMMANDS[command];
  if (info.confirm && !(await confirmDialog(info.confirm))) return null;
  return postJson<{ state: string }>(info.path);
}

