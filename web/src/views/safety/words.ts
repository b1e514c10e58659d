/** The words the Safety view and the Settings form share about send safety (issue #15). */
import { displayJid } from '../../format.js';
import type { Settings } from '../../types.js';

export type SendMode = Settings['send_mode'];

/** What each send_mode means, in one line each. */
export const SEND_MODES: { value: SendMode; label: string; does: string }[] = [
  { value: 'read_only', label: 'Read only', does: 'Agents can read; every write tool is hidden from them and refused. Nothing is ever sent.' },
  {
    value: 'confirm',
    label: 'Confirm each write',
    does: 'Every write waits for a person: the agent’s app asks its user when it can, otherwise the write waits on the Safety page for you to approve or reject it.',
  },
  { value: 'allow', label: 'Allow', does: 'Writes go out without asking, still paced; a first message to a new chat can still need approval (below).' },
];

export function modeWords(mode: SendMode): { label: string; does: string } {
  return SEND_MODES.find((m) => m.value === mode) ?? { label: mode, does: '' };
}

/** A tool name as the owner reads it. */
export function toolLabel(tool: string): string {
  const known: Record<string, string> = {
    send_message: 'Text message',
    send_media: 'File',
    forward_message: 'Forward',
    send_location: 'Location',
    send_contact: 'Contact card',
    send_poll: 'Poll',
    react_to_message: 'Reaction',
    edit_message: 'Edit',
    delete_message: 'Delete',
  };
  return known[tool] ?? tool.replace(/_/g, ' ');
}

/** "Alice (+447700900123)" from the audit log when it knows the name, else the number or JID. */
export function recipientLabel(chatId: string | undefined | null, named?: string | null): string {
  if (named) return named;
  if (!chatId) return 'no chat';
  return displayJid(chatId);
}

const JID = /^[^@\s]+@(s\.whatsapp\.net|lid|g\.us|broadcast|newsletter)$/;
const PHONE = /^\+?[\d\s().-]{6,}$/;

/**
 * One chat per line → the JIDs the server stores. A phone number (any spacing, with or without +)
 * becomes its WhatsApp JID; a line that is neither is kept as typed, so the problem is named for it.
 */
export function parseJidLines(text: string): { jids: string[]; lines: number[]; problems: { line: number; text: string }[] } {
  const jids: string[] = [];
  const lines: number[] = [];
  const problems: { line: number; text: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const v = raw.trim();
    if (v === '') return;
    let jid = v;
    if (PHONE.test(v) && !v.includes('@')) {
      const digits = v.replace(/\D/g, '');
      jid = `${digits}@s.whatsapp.net`;
    } else if (!JID.test(v)) problems.push({ line: i + 1, text: v });
    jids.push(jid);
    lines.push(i + 1);
  });
  return { jids, lines, problems };
}
