import type { BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection.js';
import { answerGroupAdminIq } from './group-admin.js';
import type { SimulatorCore } from './core.js';
import type { SimulatorContact } from './types.js';
import { bytesOf, child, children, iqError, iqResult, unixSeconds } from './util/nodes.js';
import type { SeededRandom } from './util/rng.js';

export type GroupAction = 'add' | 'remove' | 'promote' | 'demote';

export interface GroupParticipant {
  jid: string;
  admin?: 'admin' | 'superadmin';
}

export interface SimulatorGroup {
  /** `<id>@g.us` */
  jid: string;
  subject: string;
  creation: number;
  owner: string;
  subjectTime: number;
  participants: GroupParticipant[];
}

const SUBJECTS = ['Weekend plans', 'Project Falcon', 'Family', 'Book club', 'Five-a-side'];

/** Seeded groups: the account's phone is superadmin, every seeded contact a member. */
export function seedGroups(rng: SeededRandom, count: number, ownJid: string, contacts: SimulatorContact[]): SimulatorGroup[] {
  const r = rng.fork('groups');
  return Array.from({ length: count }, (_, i) => ({
    jid: `120363${r.digits(12)}@g.us`,
    subject: SUBJECTS[i % SUBJECTS.length] ?? `Group ${i + 1}`,
    creation: 1_700_000_000 + i * 3600,
    subjectTime: 1_700_000_000 + i * 3600,
    owner: ownJid,
    participants: [{ jid: ownJid, admin: 'superadmin' as const }, ...contacts.map(c => ({ jid: c.jid }))],
  }));
}

export function groupNode(group: SimulatorGroup): BinaryNode {
  return {
    tag: 'group',
    attrs: {
      id: group.jid.split('@')[0] ?? group.jid,
      subject: group.subject,
      s_t: String(group.subjectTime),
      s_o: group.owner,
      creation: String(group.creation),
      creator: group.owner,
      size: String(group.participants.length),
      addressing_mode: 'pn',
    },
    content: group.participants.map(p => ({ tag: 'participant', attrs: { jid: p.jid, ...(p.admin ? { type: p.admin } : {}) } })),
  };
}

function find(sim: SimulatorCore, jid: string | undefined): SimulatorGroup | undefined {
  return sim.groups.find(g => g.jid === jid);
}

/** Applies a participant change to the model and tells linked devices (`w:gp2` notification). */
export function changeParticipants(
  sim: SimulatorCore,
  group: SimulatorGroup,
  action: GroupAction,
  jids: string[],
  by: string,
  /** Extra attributes of the change node, e.g. `reason="invite"` on a join through the invite link. */
  attrs: Record<string, string> = {},
): void {
  if (action === 'add') {
    for (const jid of jids) if (!group.participants.some(p => p.jid === jid)) group.participants.push({ jid });
  } else if (action === 'remove') {
    group.participants = group.participants.filter(p => !jids.includes(p.jid));
  } else {
    for (const p of group.participants) if (jids.includes(p.jid)) p.admin = action === 'promote' ? 'admin' : undefined;
  }
  notifyGroup(sim, group, by, { tag: action, attrs, content: jids.map(jid => ({ tag: 'participant', attrs: { jid } })) });
}

export function changeSubject(sim: SimulatorCore, group: SimulatorGroup, subject: string, by: string): void {
  group.subject = subject;
  group.subjectTime = Number(unixSeconds());
  notifyGroup(sim, group, by, { tag: 'subject', attrs: { subject, s_o: by, s_t: unixSeconds() } });
}

/** A `w:gp2` notification for every linked device, queued until each acknowledges it. */
export function notifyGroup(sim: SimulatorCore, group: SimulatorGroup, by: string, change: BinaryNode): void {
  for (const device of sim.state.devices.values()) {
    const id = sim.nextMessageId();
    const t = unixSeconds();
    void sim.outbox.post(device, {
      key: `notification|${id}`,
      id,
      stanza: 'notification',
      t,
      payload: {
        kind: 'node',
        node: { tag: 'notification', attrs: { from: group.jid, type: 'w:gp2', id, t, participant: by, notify: '' }, content: [change] },
      },
    });
  }
}

/** `w:g2` iqs: metadata, participating list, and the client's own admin actions. */
export function answerGroupIq(sim: SimulatorCore, _conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const admin = answerGroupAdminIq(sim, iq); // create, leave, description, settings, invites (#14)
  if (admin) return admin;
  const first = Array.isArray(iq.content) ? iq.content[0] : undefined;
  if (iq.attrs.type === 'get' && first?.tag === 'participating') {
    // Only the groups the account is still in: a group it left stays in the model (others remain members).
    const mine = sim.groups.filter(g => g.participants.some(p => p.jid === sim.phone.jid));
    return iqResult(iq, [{ tag: 'groups', attrs: {}, content: mine.map(groupNode) }]);
  }
  const group = find(sim, iq.attrs.to);
  if (!group) return iqError(iq, 404, 'item-not-found');
  const me = sim.phone.jid;
  if (iq.attrs.type === 'get' && first?.tag === 'query') return iqResult(iq, [groupNode(group)]);
  if (iq.attrs.type === 'set' && first && ['add', 'remove', 'promote', 'demote'].includes(first.tag)) {
    const jids = children(first, 'participant').map(p => p.attrs.jid ?? '');
    changeParticipants(sim, group, first.tag as GroupAction, jids, me);
    return iqResult(iq, [{ tag: first.tag, attrs: {}, content: jids.map(jid => ({ tag: 'participant', attrs: { jid } })) }]);
  }
  if (iq.attrs.type === 'set' && first?.tag === 'subject') {
    changeSubject(sim, group, bytesOf(child(iq, 'subject'))?.toString('utf8') ?? '', me);
    return iqResult(iq);
  }
  return iqError(iq, 501, 'feature-not-implemented');
}
