/**
 * Groups repository: cached group metadata and participants (SPEC `get_group_info` fallback and the
 * group audit tools). Storing a group also makes sure a group chat row exists, so `listGroups` returns
 * every known group, not only those with recent messages.
 */
import type Database from 'better-sqlite3';

import { type NumberedStatement, prepareNumbered } from '../sql.js';
import { isWeakName, normalizeJid } from '../identity.js';
import type { GroupInfo, GroupInput, GroupParticipant, ParticipantRole } from '../types.js';
import type { ChatsRepo } from './chats.js';
import type { IdentityRepo, StoreContext } from './identity.js';

interface GroupRow {
  jid: string;
  subject: string | null;
  description: string | null;
  owner: string | null;
  created_at: number | null;
  announce: number;
  restrict_: number;
  updated_at: number;
}

export class GroupsRepo {
  private readonly upsertStmt: NumberedStatement;
  private readonly getStmt: Database.Statement<[string], GroupRow>;
  private readonly participantsStmt: Database.Statement<[string], { jid: string; role: string; name: string | null }>;
  private readonly membershipsStmt: Database.Statement<[], { group_jid: string; jid: string }>;

  constructor(
    private readonly ctx: StoreContext,
    private readonly identity: IdentityRepo,
    private readonly chats: ChatsRepo,
  ) {
    const db = ctx.db;
    this.upsertStmt = prepareNumbered(
      db,
      `INSERT INTO groups (jid, subject, description, owner, created_at, announce, restrict_, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, 0), coalesce(?7, 0), ?8)
       ON CONFLICT (jid) DO UPDATE SET
         subject = coalesce(excluded.subject, groups.subject),
         description = coalesce(?3, groups.description),
         owner = coalesce(excluded.owner, groups.owner),
         created_at = coalesce(excluded.created_at, groups.created_at),
         announce = coalesce(?6, groups.announce),
         restrict_ = coalesce(?7, groups.restrict_),
         updated_at = excluded.updated_at`,
    );
    this.getStmt = db.prepare('SELECT * FROM groups WHERE jid = ?');
    this.participantsStmt = db.prepare(
      `SELECT p.jid AS jid, p.role AS role, coalesce(c.name, c.pushname, c.verified_name) AS name
         FROM group_participants p LEFT JOIN contacts c ON c.jid = p.jid
        WHERE p.group_jid = ? ORDER BY p.role DESC, p.jid`,
    );
    this.membershipsStmt = db.prepare('SELECT group_jid, jid FROM group_participants');
  }

  /** Store group metadata (one transaction). A given participant list replaces the stored one. */
  upsertGroups(inputs: readonly GroupInput[]): void {
    this.ctx.db.transaction(() => {
      for (const g of inputs) {
        const jid = normalizeJid(g.id);
        if (jid === null) continue;
        const subject = isWeakName(g.subject, jid) ? null : g.subject!.trim();
        const bool = (b: boolean | null | undefined) => (b === undefined || b === null ? null : b ? 1 : 0);
        this.upsertStmt.run(
          jid,
          subject,
          g.description ?? null,
          g.owner ? normalizeJid(g.owner) : null,
          g.createdAt ?? null,
          bool(g.announce),
          bool(g.restrict),
          this.ctx.now(),
        );
        this.chats.upsertChats([{ id: jid, name: subject, isGroup: true }]);
        if (g.participants) {
          this.ctx.db.prepare('DELETE FROM group_participants WHERE group_jid = ?').run(jid);
          const ins = this.ctx.db.prepare('INSERT OR REPLACE INTO group_participants (group_jid, jid, role) VALUES (?, ?, ?)');
          for (const p of g.participants) {
            const pid = normalizeJid(p.id);
            if (pid === null) continue;
            const pn = p.phoneJid ? normalizeJid(p.phoneJid) : null;
            const lid = p.lid ? normalizeJid(p.lid) : null;
            if (pn && (lid ?? pid).endsWith('@lid')) this.identity.link(lid ?? pid, pn);
            ins.run(jid, this.identity.canonical(pid), p.role ?? 'member');
          }
        }
      }
    })();
  }

  /** Cached metadata of one group, participants with their best known names; `null` when unknown. */
  get(groupJid: string): GroupInfo | null {
    const jid = normalizeJid(groupJid);
    if (jid === null) return null;
    const g = this.getStmt.get(jid);
    if (!g) return null;
    const participants: GroupParticipant[] = this.participantsStmt.all(jid).map((p) => ({
      id: p.jid,
      role: p.role as ParticipantRole,
      name: p.name,
    }));
    return {
      id: g.jid,
      subject: g.subject,
      description: g.description,
      owner: g.owner,
      createdAt: g.created_at,
      announce: g.announce === 1,
      restrict: g.restrict_ === 1,
      participants,
      updatedAt: g.updated_at,
    };
  }

  /** Every stored membership as `group JID → member ids` (canonical), for the audit tools. */
  memberships(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const r of this.membershipsStmt.all()) {
      const list = out.get(r.group_jid);
      if (list) list.push(r.jid);
      else out.set(r.group_jid, [r.jid]);
    }
    return out;
  }
}
