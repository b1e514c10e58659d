/**
 * The group administration iqs the companion sends (#14): create, leave, add (per-participant status),
 * description, announce/locked settings, invite codes (get, revoke, accept). Answered like WhatsApp's
 * `w:g2` service, applied to the simulator's group model, and announced to linked devices as `w:gp2`
 * notifications.
 */
import { randomBytes } from 'node:crypto';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { SimulatorCore } from './core.js';
import { changeParticipants, groupNode, notifyGroup, type SimulatorGroup } from './groups.js';
import { bytesOf, child, childNodes, children, iqError, iqResult, unixSeconds } from './util/nodes.js';

/** What WhatsApp keeps per group beyond the seeded model. */
export interface GroupExtras {
  description?: string;
  announce: boolean;
  locked: boolean;
  inviteCode: string;
}

const extras = new WeakMap<SimulatorGroup, GroupExtras>();

function newInviteCode(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

/** The extra state of a group (created on first use). */
export function groupExtras(group: SimulatorGroup): GroupExtras {
  let e = extras.get(group);
  if (!e) {
    e = { announce: false, locked: false, inviteCode: newInviteCode() };
    extras.set(group, e);
  }
  return e;
}

/** The extra state of a group if it has any yet (the simulator's exportState). */
export function peekGroupExtras(group: SimulatorGroup): GroupExtras | undefined {
  const e = extras.get(group);
  return e ? { ...e } : undefined;
}

/** Puts back exported extras (the simulator's importState). */
export function restoreGroupExtras(group: SimulatorGroup, e: GroupExtras): void {
  extras.set(group, { ...e });
}

/** `groupNode` plus the description and settings children Baileys' extractGroupMetadata reads. */
function fullGroupNode(group: SimulatorGroup): BinaryNode {
  const node = groupNode(group);
  const e = groupExtras(group);
  const content = [...childNodes(node)];
  if (e.description) content.push({ tag: 'description', attrs: { id: 'sim', t: unixSeconds() }, content: [{ tag: 'body', attrs: {}, content: Buffer.from(e.description, 'utf8') }] });
  if (e.announce) content.push({ tag: 'announcement', attrs: {} });
  if (e.locked) content.push({ tag: 'locked', attrs: {} });
  return { ...node, content };
}

function isAdmin(group: SimulatorGroup, jid: string): boolean {
  return group.participants.some(p => p.jid === jid && p.admin);
}

/**
 * Answers the group-admin iqs this module implements, or `undefined` for the caller's own handling
 * (metadata, participants, subject in groups.ts).
 */
export function answerGroupAdminIq(sim: SimulatorCore, iq: BinaryNode): BinaryNode | undefined {
  const first = childNodes(iq)[0];
  if (!first) return undefined;
  const me = sim.phone.jid;
  const set = iq.attrs.type === 'set';
  if (iq.attrs.to === '@g.us') {
    if (set && first.tag === 'create') {
      const jid = `120363${sim.rng.fork(`group-${sim.groups.length}-${Date.now()}`).digits(12)}@g.us`;
      const wanted = children(first, 'participant').map(p => p.attrs.jid ?? '');
      const known = (j: string) => sim.contacts.some(c => c.jid === j || c.lidJid === j);
      const now = Number(unixSeconds());
      const group: SimulatorGroup = {
        jid,
        subject: first.attrs.subject ?? '',
        creation: now,
        subjectTime: now,
        owner: me,
        participants: [{ jid: me, admin: 'superadmin' }, ...wanted.filter(known).map(j => ({ jid: j }))],
      };
      sim.groups.push(group);
      // Numbers without an account are left out of the new group.
      return iqResult(iq, [fullGroupNode(group)]);
    }
    if (set && first.tag === 'leave') {
      for (const g of children(first, 'group')) {
        const group = sim.groups.find(x => x.jid === g.attrs.id || x.jid === `${g.attrs.id ?? ''}@g.us`);
        if (group) changeParticipants(sim, group, 'remove', [me], me);
      }
      return iqResult(iq, [{ tag: 'leave', attrs: {}, content: children(first, 'group') }]);
    }
    if (set && first.tag === 'invite' && first.attrs.code) {
      const group = sim.groups.find(g => groupExtras(g).inviteCode === first.attrs.code);
      if (!group) return iqError(iq, 406, 'not-acceptable');
      if (!group.participants.some(p => p.jid === me)) changeParticipants(sim, group, 'add', [me], me);
      return iqResult(iq, [{ tag: 'group', attrs: { jid: group.jid } }]);
    }
    return undefined;
  }
  const group = sim.groups.find(g => g.jid === iq.attrs.to);
  if (!group) return undefined;
  // Metadata includes description and settings once this module holds state for the group.
  if (!set && first.tag === 'query' && extras.has(group)) return iqResult(iq, [fullGroupNode(group)]);
  const e = groupExtras(group);
  if (first.tag === 'invite' && !first.attrs.code) {
    if (!isAdmin(group, me)) return iqError(iq, 401, 'not-authorized');
    if (set) e.inviteCode = newInviteCode(); // set = revoke: the old link stops working
    return iqResult(iq, [{ tag: 'invite', attrs: { code: e.inviteCode } }]);
  }
  if (!set) return undefined;
  if (first.tag === 'add') {
    // One status per participant, as WhatsApp answers: members already in the group get 409.
    const jids = children(first, 'participant').map(p => p.attrs.jid ?? '');
    const present = new Set(group.participants.map(p => p.jid));
    const fresh = jids.filter(j => !present.has(j));
    if (fresh.length) changeParticipants(sim, group, 'add', fresh, me);
    const content: BinaryNode[] = jids.map(jid => {
      const attrs: Record<string, string> = { jid };
      if (present.has(jid)) attrs.error = '409';
      return { tag: 'participant', attrs };
    });
    return iqResult(iq, [{ tag: 'add', attrs: {}, content }]);
  }
  if (first.tag === 'description') {
    if (e.locked && !isAdmin(group, me)) return iqError(iq, 403, 'forbidden');
    e.description = first.attrs.delete === 'true' ? undefined : bytesOf(child(first, 'body'))?.toString('utf8');
    notifyGroup(sim, group, me, { tag: 'description', attrs: { id: first.attrs.id ?? 'sim' }, content: first.content });
    return iqResult(iq);
  }
  const settings: Record<string, [keyof Pick<GroupExtras, 'announce' | 'locked'>, boolean]> = {
    announcement: ['announce', true],
    not_announcement: ['announce', false],
    locked: ['locked', true],
    unlocked: ['locked', false],
  };
  const setting = settings[first.tag];
  if (setting) {
    if (!isAdmin(group, me)) return iqError(iq, 403, 'forbidden');
    e[setting[0]] = setting[1];
    notifyGroup(sim, group, me, { tag: first.tag, attrs: {} });
    return iqResult(iq);
  }
  return undefined;
}
