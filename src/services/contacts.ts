/** Contacts and live per-person lookups (profile picture, group metadata with a cached fallback). */
import { jidKind, toJid, type Contact, type ContactMatch, type GroupInfo } from '../store/index.js';
import { requireOpen, type ServiceDeps } from './context.js';
import { invalidInput, notFound, withTimeout } from '../errors.js';
import { toAppError } from './errors.js';

export interface GroupPerson {
  id: string;
  role: 'member' | 'admin' | 'superadmin';
  name: string | null;
  isMe: boolean;
  isMyContact: boolean;
  isAdmin: boolean;
}

export interface GroupInfoResult extends GroupInfo {
  participants: GroupPerson[];
  source: 'live' | 'cached';
  /** Why live metadata was not used (only with `source: "cached"`). */
  staleReason?: string;
}

export class ContactsService {
  constructor(private readonly deps: ServiceDeps) {}

  private get timeoutMs(): number {
    return this.deps.liveTimeoutMs ?? 10_000;
  }

  search(query: string, limit = 50): Contact[] {
    return this.deps.store.contacts.search(query, limit);
  }

  resolve(query: string, limit = 5): ContactMatch[] {
    return this.deps.store.contacts.resolve(query, limit);
  }

  /** Canonical JID of any id / phone input, or an `invalid_input` error. */
  jidOf(input: string, what = 'jid'): string {
    const jid = this.deps.store.identity.resolve(input);
    if (jid === null) {
      throw invalidInput(`"${input}" is not a WhatsApp id or phone number`, `Pass a JID (e.g. 447911123456@s.whatsapp.net), a LID, or a phone number with country code as ${what}`);
    }
    return jid;
  }

  get(input: string): Contact {
    const jid = this.jidOf(input);
    const c = this.deps.store.contacts.get(jid);
    if (!c) throw notFound(`No contact known with id ${jid}`, 'Use search_contacts or resolve_contact to find the right id');
    return c;
  }

  async profilePic(input: string): Promise<{ jid: string; url: string | null }> {
    const jid = this.jidOf(input);
    requireOpen(this.deps.runtime);
    try {
      const url = await withTimeout(this.deps.gateway.profilePictureUrl(jid), this.timeoutMs, 'WhatsApp (profile picture)');
      return { jid, url: url ?? null };
    } catch (err) {
      throw toAppError(err, () => this.deps.runtime.getStatus());
    }
  }

  /** A group given by JID or by (part of) its name → its JID and name; several or no matches are an error that lists them. */
  resolveGroup(input: string): { id: string; name: string } {
    const q = input.trim();
    const jid = toJid(q);
    if (jid !== null && jidKind(jid) === 'group') return { id: jid, name: this.deps.store.chats.get(jid)?.name ?? jid };
    if (jid !== null && (q.includes('@') || /^[+\d][\d\s().-]*$/.test(q))) {
      throw invalidInput(`"${q}" is not a group JID`, 'Pass a group id ending in @g.us (list_groups shows them) or the group name');
    }
    const found = this.deps.store.chats.listGroups({ query: q, limit: 6, includeLastMessage: false }).items.filter((g) => this.deps.canRead?.(g.id) ?? true);
    const exact = found.filter((g) => g.name.toLowerCase() === q.toLowerCase());
    const pick = exact.length === 1 ? exact : found;
    if (pick.length === 1) return { id: pick[0]!.id, name: pick[0]!.name };
    if (pick.length === 0) throw notFound(`No group named like "${q}"`, 'Pass a group JID ending in @g.us (list_groups shows them) or another part of its name');
    throw invalidInput(`"${q}" matches several groups: ${pick.map((g) => `${g.name} (${g.id})`).join('; ')}`, 'Pass one of these group JIDs');
  }

  /** Live metadata (stored as the new cache) when connected; otherwise or on failure the cached copy. */
  async groupInfo(input: string): Promise<GroupInfoResult> {
    const jid = this.resolveGroup(input).id;
    let staleReason: string;
    if (this.deps.runtime.getStatus().state === 'open') {
      try {
        // The adapter stores what the socket returns; read it back from the store.
        await withTimeout(this.deps.gateway.groupMetadata(jid), this.timeoutMs, 'WhatsApp (group metadata)');
        const stored = this.deps.store.groups.get(jid);
        if (stored) return { ...this.withPeople(stored), source: 'live' };
        staleReason = 'live metadata could not be stored';
      } catch (err) {
        staleReason = toAppError(err).message;
        this.deps.logger.debug({ err, jid }, 'live group metadata failed; using the cache');
      }
    } else {
      staleReason = `WhatsApp is not connected (state: ${this.deps.runtime.getStatus().state})`;
    }
    const cached = this.deps.store.groups.get(jid);
    if (!cached) {
      throw notFound(`No metadata known for group ${jid} (${staleReason})`, 'Retry when check_auth_status shows state open, or check the id with list_groups');
    }
    return { ...this.withPeople(cached), source: 'cached', staleReason };
  }

  /** Participants as a reader needs them: names, whether each is me, in my contacts, an admin. */
  private withPeople(g: GroupInfo): GroupInfo & { participants: GroupPerson[] } {
    const me = this.deps.runtime.getStatus().me;
    const self = new Set<string>();
    for (const id of [me?.id, me?.lid]) {
      const jid = id ? this.deps.store.identity.resolve(id) : null;
      if (jid) self.add(jid);
    }
    return {
      ...g,
      participants: g.participants.map((p) => {
        const c = this.deps.store.contacts.get(p.id);
        return {
          ...p,
          name: self.has(p.id) ? 'me' : (p.name ?? c?.name ?? c?.pushname ?? null),
          isMe: self.has(p.id),
          isMyContact: c?.isMyContact ?? false,
          isAdmin: p.role !== 'member',
        };
      }),
    };
  }

}
