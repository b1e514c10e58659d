/**
 * Group audit: who shares several groups, who has no direct chat, who is not in the address book.
 * Works on stored memberships; `refresh` first re-reads live metadata with bounded concurrency and a
 * per-call timeout, reporting progress, and falls back to the cache per group on failure.
 */
import type { Contact } from '../store/index.js';
import type { ContactsService } from './contacts.js';
import type { ServiceDeps } from './context.js';
import { withTimeout } from '../errors.js';
import { toAppError } from './errors.js';

export interface AuditOptions {
  groupLimit?: number;
  /** Only this group (JID or name). */
  group?: string;
  refresh?: boolean;
  /** Reports refresh progress (done of total). */
  onProgress?: (done: number, total: number, message: string) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface MemberGroups {
  id: string;
  name: string | null;
  number: string | null;
  isMyContact: boolean;
  hasDirectChat: boolean;
  groupCount: number;
  groups: Array<{ id: string; name: string }>;
}

export interface AuditScope {
  groupsAnalyzed: number;
  refreshed: number;
  refreshFailed: number;
  /** `cached` when no refresh was requested or possible. */
  source: 'live' | 'cached' | 'mixed';
  refreshNote?: string;
  members: MemberGroups[];
}

export interface MemberList {
  summary: { groupsAnalyzed: number; uniqueMembers: number; matched: number; returned: number; source: AuditScope['source']; refreshed: number; refreshFailed: number; refreshNote?: string };
  members: MemberGroups[];
}

export interface GroupAudit {
  summary: {
    groupsAnalyzed: number;
    uniqueMembers: number;
    overlaps: number;
    withoutDirectChat: number;
    notInContacts: number;
    source: AuditScope['source'];
    refreshed: number;
    refreshFailed: number;
    refreshNote?: string;
  };
  overlaps: MemberGroups[];
  withoutDirectChat: MemberGroups[];
  notInContacts: MemberGroups[];
}

/** Upper bound on list lengths in one result (the counts in `summary` stay exact). */
export const MAX_MEMBERS_RETURNED = 500;

export class GroupsService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly contacts: ContactsService,
    private readonly opts: { concurrency?: number } = {},
  ) {}

  private selectGroups(limit: number): Array<{ id: string; name: string }> {
    const out: Array<{ id: string; name: string }> = [];
    let cursor: string | undefined;
    while (out.length < limit) {
      const page = this.deps.store.chats.listGroups({ limit: Math.min(500, limit - out.length), includeLastMessage: false, cursor });
      for (const c of page.items) out.push({ id: c.id, name: c.name });
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return out;
  }

  private async refresh(groups: ReadonlyArray<{ id: string }>, opts: AuditOptions): Promise<{ ok: number; failed: number; note?: string }> {
    if (this.deps.runtime.getStatus().state !== 'open') {
      return { ok: 0, failed: 0, note: `not refreshed: WhatsApp is not connected (state: ${this.deps.runtime.getStatus().state}); cached memberships used` };
    }
    const timeoutMs = this.deps.liveTimeoutMs ?? 10_000;
    const concurrency = Math.max(1, this.opts.concurrency ?? 4);
    let next = 0;
    let done = 0;
    let ok = 0;
    let failed = 0;
    const total = groups.length;
    await opts.onProgress?.(0, total, `refreshing ${total} groups`);
    const worker = async () => {
      for (;;) {
        if (opts.signal?.aborted) return;
        const i = next++;
        if (i >= total) return;
        const g = groups[i]!;
        try {
          await withTimeout(this.deps.gateway.groupMetadata(g.id), timeoutMs, `WhatsApp (metadata of ${g.id})`);
          ok++;
        } catch (err) {
          failed++;
          this.deps.logger.debug({ group: g.id, err: toAppError(err).message }, 'group refresh failed; cached data kept');
        }
        done++;
        await opts.onProgress?.(done, total, `refreshed ${done}/${total} groups`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
    return failed > 0 ? { ok, failed, note: `${failed} of ${total} groups could not be refreshed; their cached memberships were used` } : { ok, failed };
  }

  /** Members of the newest `groupLimit` groups with their groups, ready for the audit views. */
  async scope(opts: AuditOptions = {}): Promise<AuditScope> {
    const groups = opts.group !== undefined ? [this.contacts.resolveGroup(opts.group)] : this.selectGroups(Math.max(1, opts.groupLimit ?? 200));
    let refreshed = 0;
    let refreshFailed = 0;
    let refreshNote: string | undefined;
    if (opts.refresh) {
      const r = await this.refresh(groups, opts);
      refreshed = r.ok;
      refreshFailed = r.failed;
      refreshNote = r.note;
    }
    const names = new Map(groups.map((g) => [g.id, g.name]));
    const memberships = this.deps.store.groups.memberships();
    const me = this.deps.runtime.getStatus().me;
    const self = new Set<string>(['me']);
    if (me) {
      for (const id of [me.id, me.lid]) {
        const jid = id ? this.deps.store.identity.resolve(id) : null;
        if (jid) self.add(jid);
      }
    }
    const byMember = new Map<string, string[]>();
    for (const g of groups) {
      for (const m of memberships.get(g.id) ?? []) {
        if (self.has(m)) continue;
        const list = byMember.get(m);
        if (list) list.push(g.id);
        else byMember.set(m, [g.id]);
      }
    }
    const contacts = new Map<string, Contact>();
    for (const c of this.deps.store.contacts.list()) contacts.set(c.id, c);
    const members: MemberGroups[] = [];
    for (const [id, gids] of byMember) {
      const c = contacts.get(id);
      members.push({
        id,
        name: c ? (c.name ?? c.pushname) : null,
        number: c?.number ?? (id.endsWith('@s.whatsapp.net') ? id.slice(0, id.indexOf('@')) : null),
        isMyContact: c?.isMyContact ?? false,
        hasDirectChat: this.deps.store.chats.findId(id) !== undefined,
        groupCount: gids.length,
        groups: gids.map((gid) => ({ id: gid, name: names.get(gid) ?? gid })),
      });
    }
    members.sort((a, b) => b.groupCount - a.groupCount || (a.name ?? a.id).localeCompare(b.name ?? b.id));
    const source: AuditScope['source'] = !opts.refresh || refreshed === 0 ? 'cached' : refreshFailed > 0 ? 'mixed' : 'live';
    const out: AuditScope = { groupsAnalyzed: groups.length, refreshed, refreshFailed, source, members };
    if (refreshNote) out.refreshNote = refreshNote;
    return out;
  }

  static overlaps(scope: AuditScope, minShared: number): MemberGroups[] {
    return scope.members.filter((m) => m.groupCount >= minShared);
  }

  static withoutDirectChat(scope: AuditScope, minShared: number): MemberGroups[] {
    return scope.members.filter((m) => m.groupCount >= minShared && !m.hasDirectChat);
  }

  static notInContacts(scope: AuditScope, minShared: number): MemberGroups[] {
    return scope.members.filter((m) => m.groupCount >= minShared && !m.isMyContact);
  }

  static list(scope: AuditScope, matched: MemberGroups[], limit = MAX_MEMBERS_RETURNED): MemberList {
    const members = matched.slice(0, Math.min(limit, MAX_MEMBERS_RETURNED));
    const summary: MemberList['summary'] = {
      groupsAnalyzed: scope.groupsAnalyzed,
      uniqueMembers: scope.members.length,
      matched: matched.length,
      returned: members.length,
      source: scope.source,
      refreshed: scope.refreshed,
      refreshFailed: scope.refreshFailed,
    };
    if (scope.refreshNote) summary.refreshNote = scope.refreshNote;
    return { summary, members };
  }

  async audit(opts: AuditOptions & { overlapMinShared?: number; minShared?: number; limit?: number }): Promise<GroupAudit> {
    const cap = Math.min(opts.limit ?? MAX_MEMBERS_RETURNED, MAX_MEMBERS_RETURNED);
    const scope = await this.scope(opts);
    const overlaps = GroupsService.overlaps(scope, opts.overlapMinShared ?? 2);
    const without = GroupsService.withoutDirectChat(scope, opts.minShared ?? 1);
    const notIn = GroupsService.notInContacts(scope, opts.minShared ?? 1);
    const summary: GroupAudit['summary'] = {
      groupsAnalyzed: scope.groupsAnalyzed,
      uniqueMembers: scope.members.length,
      overlaps: overlaps.length,
      withoutDirectChat: without.length,
      notInContacts: notIn.length,
      source: scope.source,
      refreshed: scope.refreshed,
      refreshFailed: scope.refreshFailed,
    };
    if (scope.refreshNote) summary.refreshNote = scope.refreshNote;
    return {
      summary,
      overlaps: overlaps.slice(0, cap),
      withoutDirectChat: without.slice(0, cap),
      notInContacts: notIn.slice(0, cap),
    };
  }
}
