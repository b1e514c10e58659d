/**
 * Group administration (#14): create, participants (per-participant status as WhatsApp answers it),
 * subject/description/settings, invite links, join, leave. Every write goes through the shared send path
 * (./live-write.ts). Numbers are checked with WhatsApp (usync) before they are added, so "not on WhatsApp"
 * is a clear error instead of a silent miss.
 */
import { invalidInput, withTimeout } from '../errors.js';
import { jidKind, jidUser } from '../store/index.js';
import type { GroupInfo, GroupParticipantAction, ParticipantResult } from '../whatsapp/gateway.js';
import type { ServiceDeps } from './context.js';
import type { Idempotency } from './idempotency.js';
import { LiveWrite } from './live-write.js';
import { resolveRecipient } from './recipient.js';

export interface ParticipantOutcome {
  jid: string;
  ok: boolean;
  /** WhatsApp's status for this participant: `200` done, otherwise its error code. */
  status: string;
  /** What the status means, when it is not `200`. */
  error?: string;
}

const STATUS_TEXT: Record<string, string> = {
  '401': 'not allowed: you are not an admin of this group',
  '403': "their privacy settings do not allow being added: send them the invite link (get_group_invite_link)",
  '404': 'not a member of this group',
  '409': 'already a member of this group',
  'not added': 'WhatsApp did not add them',
};

const INVITE = /^(?:https?:\/\/)?chat\.whatsapp\.com\/(?:invite\/)?([A-Za-z0-9_-]{10,40})\/?$|^([A-Za-z0-9_-]{10,40})$/;

export function inviteCodeOf(input: string): string | null {
  const m = INVITE.exec(input.trim());
  return m ? (m[1] ?? m[2] ?? null) : null;
}

export class GroupAdminService {
  private readonly live: LiveWrite;

  constructor(
    private readonly deps: ServiceDeps,
    idempotency: Idempotency,
  ) {
    this.live = new LiveWrite(deps, idempotency);
  }

  async create(input: { subject: string; participants: string[]; idempotencyKey?: string }) {
    const subject = this.subject(input.subject);
    const people = this.people(input.participants);
    const r = await this.live.once('create_group', input.idempotencyKey, { subject, people }, async () => {
      await this.requireOnWhatsApp(people);
      const { group, refused } = await this.live.call('create group', () => this.deps.gateway.createGroup(subject, people));
      return { group: this.view(group), refused: refused.map((p) => this.outcome(p)) };
    });
    return { ...r.group, refused: r.refused, deduplicated: r.deduplicated, idempotencyKey: r.idempotencyKey };
  }

  async updateParticipants(input: { groupJid: string; action: GroupParticipantAction; participants: string[]; idempotencyKey?: string }) {
    const groupJid = this.group(input.groupJid);
    const people = this.people(input.participants);
    const r = await this.live.once('update_group_participants', input.idempotencyKey, { groupJid, action: input.action, people }, async () => {
      await this.requireAdmin(groupJid);
      if (input.action === 'add') await this.requireOnWhatsApp(people);
      const results = await this.live.call('group participants', () => this.deps.gateway.updateGroupParticipants(groupJid, input.action, people));
      return { results: results.map((p) => this.outcome(p)) };
    });
    return { groupId: groupJid, action: input.action, results: r.results, deduplicated: r.deduplicated, idempotencyKey: r.idempotencyKey };
  }

  async updateSettings(input: { groupJid: string; subject?: string; description?: string; announce?: boolean; locked?: boolean; idempotencyKey?: string }) {
    const groupJid = this.group(input.groupJid);
    const change = {
      subject: input.subject === undefined ? undefined : this.subject(input.subject),
      description: input.description,
      announce: input.announce,
      locked: input.locked,
    };
    if (Object.values(change).every((v) => v === undefined)) {
      throw invalidInput('Nothing to change', 'Pass at least one of subject, description, announce, locked');
    }
    if (change.description !== undefined && change.description.length > 2048) throw invalidInput('The description is longer than 2048 characters', 'Shorten it');
    const r = await this.live.once('update_group_settings', input.idempotencyKey, { groupJid, ...change }, async () => {
      await this.requireAdmin(groupJid);
      await this.live.call('group settings', () => this.deps.gateway.updateGroupSettings(groupJid, change));
      return { changed: Object.keys(change).filter((k) => change[k as keyof typeof change] !== undefined) };
    });
    return { groupId: groupJid, changed: r.changed, deduplicated: r.deduplicated, idempotencyKey: r.idempotencyKey };
  }

  async inviteLink(input: { groupJid: string; revoke: boolean; idempotencyKey?: string }) {
    const groupJid = this.group(input.groupJid);
    const r = await this.live.once('get_group_invite_link', input.revoke ? input.idempotencyKey : undefined, { groupJid, revoke: input.revoke }, async () => {
      const code = await this.live.call('invite link', () => this.deps.gateway.groupInviteCode(groupJid, input.revoke));
      return { code };
    });
    return { groupId: groupJid, code: r.code, link: `https://chat.whatsapp.com/${r.code}`, revoked: input.revoke, deduplicated: r.deduplicated };
  }

  async join(input: { inviteLink: string; idempotencyKey?: string }) {
    const code = inviteCodeOf(input.inviteLink);
    if (code === null) throw invalidInput(`"${input.inviteLink}" is not a WhatsApp invite link`, 'Pass a link like https://chat.whatsapp.com/AbCdEf123456 or its code');
    const r = await this.live.once('join_group', input.idempotencyKey, { code }, async () => ({
      groupId: await this.live.call('join group', () => this.deps.gateway.joinGroup(code)),
    }));
    return { groupId: r.groupId, deduplicated: r.deduplicated, idempotencyKey: r.idempotencyKey };
  }

  async leave(input: { groupJid: string; idempotencyKey?: string }) {
    const groupJid = this.group(input.groupJid);
    const r = await this.live.once('leave_group', input.idempotencyKey, { groupJid }, async () => {
      await this.live.call('leave group', () => this.deps.gateway.leaveGroup(groupJid));
      return { left: true };
    });
    return { groupId: groupJid, left: r.left, deduplicated: r.deduplicated, idempotencyKey: r.idempotencyKey };
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private subject(input: string): string {
    const s = input.trim();
    if (s === '') throw invalidInput('The group subject is empty', 'Pass a name for the group');
    if ([...s].length > 100) throw invalidInput('The group subject is longer than 100 characters', 'Shorten it');
    return s;
  }

  private group(input: string): string {
    const jid = resolveRecipient(this.deps.store, input);
    if (jidKind(jid) !== 'group') throw invalidInput(`"${input}" is not a group`, 'Pass a group JID (…@g.us) from list_groups');
    return jid;
  }

  private people(inputs: string[]): string[] {
    const jids = inputs.map((p) => {
      const jid = resolveRecipient(this.deps.store, p);
      if (jidKind(jid) === 'group') throw invalidInput(`"${p}" is a group, not a person`, 'Pass people: JIDs, LIDs or phone numbers');
      return jid;
    });
    return [...new Set(jids)];
  }

  /** Refuses before acting when any phone number has no WhatsApp account (asked live, usync). */
  private async requireOnWhatsApp(jids: string[]): Promise<void> {
    const phones = jids.filter((j) => jidKind(j) === 'pn').map(jidUser);
    if (phones.length === 0) return;
    const answers = await this.live.call('number check', () => this.deps.gateway.onWhatsApp(phones), this.deps.liveTimeoutMs ?? 10_000);
    const missing = answers.filter((a) => !a.exists).map((a) => `+${a.phone}`);
    if (missing.length) {
      throw invalidInput(`Not on WhatsApp: ${missing.join(', ')}`, 'Leave these numbers out (check_whatsapp_numbers checks numbers first)');
    }
  }

  /** WhatsApp refuses admin changes from members; checked live so the error is clear and nothing is half-done. */
  private async requireAdmin(groupJid: string): Promise<void> {
    const meta = await withTimeout(this.deps.gateway.groupMetadata(groupJid), this.deps.liveTimeoutMs ?? 10_000, 'WhatsApp (group metadata)');
    const me = this.deps.runtime.getStatus().me;
    const self = new Set([me?.id, me?.lid].filter((x): x is string => Boolean(x)).map((x) => this.deps.store.identity.resolve(x) ?? x));
    const mine = meta.participants.find((p) => [p.jid, p.lid, p.phoneJid].some((j) => j !== undefined && self.has(this.deps.store.identity.resolve(j) ?? j)));
    if (!mine) throw invalidInput(`You are not a member of ${meta.subject || groupJid}`, 'Join it first (join_group with an invite link)');
    if (mine.admin === null) throw invalidInput(`You are not an admin of ${meta.subject || groupJid}`, 'Ask a group admin to make the change or to promote you');
  }

  private outcome(p: ParticipantResult): ParticipantOutcome {
    const jid = this.deps.store.identity.resolve(p.jid) ?? p.jid;
    if (p.status === '200') return { jid, ok: true, status: p.status };
    return { jid, ok: false, status: p.status, error: STATUS_TEXT[p.status] ?? `WhatsApp answered ${p.status}` };
  }

  private view(g: GroupInfo) {
    return {
      groupId: g.id,
      subject: g.subject,
      participants: g.participants.map((p) => ({ jid: this.deps.store.identity.resolve(p.jid) ?? p.jid, admin: p.admin })),
    };
  }
}
