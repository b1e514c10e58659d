/**
 * Contacts repository: address-book / push names per person (LID and phone merged, see identity.ts),
 * lookups by any id format, and scored search over all contacts.
 */
import type Database from 'better-sqlite3';

import { isWeakName, jidKind, jidUser, normalizeJid, phoneToJid } from '../identity.js';
import { fold } from '../text.js';
import type { Contact, ContactInput, ContactMatch, ContactMatchField } from '../types.js';
import { type IdentityRepo, type StoreContext, searchText } from './identity.js';

interface ContactRow {
  id: number;
  jid: string;
  lid: string | null;
  phone: string | null;
  name: string | null;
  pushname: string | null;
  verified_name: string | null;
  is_my_contact: number;
  search_text: string;
}

const COLS = 'id, jid, lid, phone, name, pushname, verified_name, is_my_contact, search_text';

function toContact(r: ContactRow): Contact {
  const c: Contact = {
    id: r.jid,
    name: r.name,
    pushname: r.pushname,
    number: r.phone ?? (jidKind(r.jid) === 'pn' ? jidUser(r.jid) : null),
    isMyContact: r.is_my_contact === 1,
  };
  if (r.lid) c.lid = r.lid;
  return c;
}

function cleanName(name: string | null | undefined, jid: string): string | null {
  return isWeakName(name, jid) ? null : name!.trim();
}

export class ContactsRepo {
  private readonly byJid: Database.Statement<[string], ContactRow>;
  private readonly byLid: Database.Statement<[string], ContactRow>;
  private readonly insert: Database.Statement<unknown[]>;
  private readonly update: Database.Statement<unknown[]>;
  private readonly candidates: Database.Statement<unknown[], ContactRow>;
  private readonly all: Database.Statement<[], ContactRow>;

  constructor(
    private readonly ctx: StoreContext,
    private readonly identity: IdentityRepo,
  ) {
    const db = ctx.db;
    this.byJid = db.prepare(`SELECT ${COLS} FROM contacts WHERE jid = ?`);
    this.byLid = db.prepare(`SELECT ${COLS} FROM contacts WHERE lid = ?`);
    this.insert = db.prepare(
      `INSERT INTO contacts (jid, lid, phone, name, pushname, verified_name, is_my_contact, search_text, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.update = db.prepare(
      `UPDATE contacts SET name = ?, pushname = ?, verified_name = ?, is_my_contact = ?, search_text = ?, updated_at = ?
       WHERE id = ?`,
    );
    // A scan of all contacts is a few ms even at 20k rows; scoring happens in JS over the candidates.
    this.candidates = db.prepare(
      `SELECT ${COLS} FROM contacts
        WHERE (? <> '' AND instr(search_text, ?) > 0)
           OR (? <> '' AND instr(phone, ?) > 0)
           OR jid = ? OR lid = ?`,
    );
    this.all = db.prepare(`SELECT ${COLS} FROM contacts ORDER BY coalesce(name, pushname, jid)`);
  }

  /** Insert or merge contacts in one transaction. Names are never replaced by empty or JID-like values. */
  upsertContacts(inputs: readonly ContactInput[]): void {
    this.ctx.db.transaction(() => {
      for (const input of inputs) this.upsertOne(input);
    })();
  }

  private upsertOne(input: ContactInput): void {
    const id = normalizeJid(input.id);
    if (id === null) return;
    const pnGiven = input.phoneJid ? normalizeJid(input.phoneJid) : null;
    const lidGiven = input.lid ? normalizeJid(input.lid) : null;
    if (jidKind(id) === 'lid' && pnGiven) this.identity.link(id, pnGiven);
    else if (jidKind(id) === 'pn' && lidGiven) this.identity.link(lidGiven, id);
    else if (lidGiven && pnGiven) this.identity.link(lidGiven, pnGiven);
    const jid = this.identity.canonical(id);
    const name = cleanName(input.name, jid);
    const pushname = cleanName(input.pushname, jid);
    const verified = cleanName(input.verifiedName, jid);
    const explicitMine = input.isMyContact ?? null;
    const now = this.ctx.now();
    const existing = this.byJid.get(jid) ?? (jidKind(jid) === 'lid' ? this.byLid.get(jid) : undefined);
    if (!existing) {
      const lid = jidKind(jid) === 'lid' ? null : this.identity.lidFor(jid);
      const mine = explicitMine ?? name !== null;
      this.insert.run(
        jid,
        lid,
        jidKind(jid) === 'pn' ? jidUser(jid) : null,
        name,
        pushname,
        verified,
        mine ? 1 : 0,
        searchText(name, pushname, verified),
        now,
      );
      return;
    }
    const n = name ?? existing.name;
    const p = pushname ?? existing.pushname;
    const v = verified ?? existing.verified_name;
    const mine = explicitMine ?? (name !== null || existing.is_my_contact === 1);
    this.update.run(n, p, v, mine ? 1 : 0, searchText(n, p, v), now, existing.id);
  }

  /** Contact by JID, LID or phone number in any common format; `null` when unknown. */
  get(idOrPhone: string): Contact | null {
    const jid = this.identity.resolve(idOrPhone);
    if (jid === null) return null;
    const row = this.byJid.get(jid) ?? (jidKind(jid) === 'lid' ? this.byLid.get(jid) : undefined);
    return row ? toContact(row) : null;
  }

  /** All contacts, by display name. */
  list(): Contact[] {
    return this.all.all().map(toContact);
  }

  /** Display name for a JID: address-book name, push name, verified name, or `null`. */
  displayName(jid: string): string | null {
    const row = this.byJid.get(this.identity.canonical(jid));
    return row ? (row.name ?? row.pushname ?? row.verified_name) : null;
  }

  /**
   * Scored matches over all contacts (SPEC `resolve_contact`). Exact id / number matches score 1;
   * names score by how they match (exact > starts with > a word starts with > contains), address-book
   * names above push names above verified business names.
   */
  resolve(query: string, limit = 5): ContactMatch[] {
    const q = query.trim();
    if (q.length === 0) return [];
    const qf = fold(q);
    const words = qf.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
    const longest = words.reduce((a, b) => (b.length > a.length ? b : a), '');
    const digits = /\d/.test(q) && !/\p{L}/u.test(q) ? q.replace(/\D/g, '') : '';
    const asJid = q.includes('@') ? normalizeJid(q) : phoneToJid(q);
    const canon = asJid ? this.identity.canonical(asJid) : '';
    const rows = this.candidates.all(longest, longest, digits.length >= 3 ? digits : '', digits, canon, asJid ?? '');
    const out: ContactMatch[] = [];
    for (const r of rows) {
      const m = scoreContact(r, qf, words, digits, canon, asJid, q.includes('@'));
      if (m) out.push({ ...toContact(r), matchedBy: m.by, score: Math.round(m.score * 1000) / 1000 });
    }
    // Nothing (or too little) matched as typed: tolerate typos and another script ("Alise Novak",
    // "Natasha" for "Наташа"), scored below every literal match.
    if (out.length < limit && words.length > 0 && !digits) {
      const seen = new Set(out.map((c) => c.id));
      const qw = words.map(translit);
      for (const r of this.all.all()) {
        if (seen.has(r.jid)) continue;
        const m = fuzzyScore(r, qw);
        if (m) out.push({ ...toContact(r), matchedBy: m.by, score: Math.round(m.score * 1000) / 1000 });
      }
    }
    const key = (c: Contact) => c.name ?? c.pushname ?? c.id;
    out.sort((a, b) => b.score - a.score || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return out.slice(0, Math.max(1, limit));
  }

  /** Ranked contacts matching name, push name, number or JID (SPEC `search_contacts`). */
  search(query: string, limit = 50): Contact[] {
    return this.resolve(query, limit).map(({ matchedBy: _m, score: _s, ...c }) => c);
  }
}

function scoreContact(
  r: ContactRow,
  qf: string,
  words: readonly string[],
  digits: string,
  canon: string,
  asJid: string | null,
  queryIsJid: boolean,
): { by: ContactMatchField; score: number } | null {
  if (canon && r.jid === canon) {
    if (!queryIsJid) return { by: 'phone', score: 1 };
    return { by: asJid !== null && jidKind(asJid) === 'lid' ? 'lid' : 'jid', score: 1 };
  }
  if (asJid && r.lid === asJid) return { by: 'lid', score: 1 };
  let best: { by: ContactMatchField; score: number } | null = null;
  const consider = (by: ContactMatchField, score: number) => {
    if (!best || score > best.score) best = { by, score };
  };
  if (digits.length >= 3 && r.phone) {
    if (r.phone === digits) consider('phone', 1);
    else if (r.phone.endsWith(digits)) consider('phone', 0.7 + 0.2 * (digits.length / r.phone.length));
    else if (r.phone.includes(digits)) consider('phone', 0.5 + 0.2 * (digits.length / r.phone.length));
  }
  const folded = r.search_text.split('\u0001');
  const fields: Array<[ContactMatchField, string | undefined, number]> = [
    ['name', folded[0], 1],
    ['pushname', folded[1], 0.92],
    ['verifiedName', folded[2], 0.88],
  ];
  for (const [by, value, weight] of fields) {
    if (!value) continue;
    const s = nameScore(value, qf, words);
    if (s > 0) consider(by, s * weight + (r.is_my_contact ? 0.01 : 0));
  }
  return best;
}

function nameScore(field: string, qf: string, words: readonly string[]): number {
  if (field === qf) return 0.95;
  if (field.startsWith(qf)) return 0.85;
  const fieldWords = field.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  if (fieldWords.some((w) => w.startsWith(qf))) return 0.75;
  if (words.length > 1 && words.every((q) => fieldWords.some((w) => w.startsWith(q)))) return 0.7;
  if (field.includes(qf)) return 0.5;
  if (words.length > 1 && words.every((q) => field.includes(q))) return 0.4;
  return 0;
}

const CYRILLIC: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o',
  п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
  і: 'i', ї: 'yi', є: 'ye', ґ: 'g',
};

/** Folded text in Latin letters (Cyrillic transliterated), so "Наташа" and "natasha" compare. */
function translit(folded: string): string {
  return folded.replace(/[\u0400-\u04ff]/g, (ch) => CYRILLIC[ch] ?? ch);
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1).fill(0);
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n]!;
}

/**
 * Every query word must be close to some word of a name (at most 1 edit for words up to 5 letters,
 * 2 for longer ones); the score (0.3–0.65) stays below every literal match.
 */
function fuzzyScore(r: ContactRow, queryWords: readonly string[]): { by: ContactMatchField; score: number } | null {
  const folded = r.search_text.split('\u0001');
  const fields: Array<[ContactMatchField, string | undefined, number]> = [
    ['name', folded[0], 1],
    ['pushname', folded[1], 0.95],
    ['verifiedName', folded[2], 0.9],
  ];
  let best: { by: ContactMatchField; score: number } | null = null;
  for (const [by, value, weight] of fields) {
    if (!value) continue;
    const nameWords = translit(value).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
    if (nameWords.length === 0) continue;
    let total = 0;
    let ok = true;
    for (const q of queryWords) {
      let sim = 0;
      for (const w of nameWords) {
        const d = editDistance(q, w.length > q.length + 2 ? w.slice(0, q.length + 2) : w);
        if (d <= (q.length <= 5 ? 1 : 2)) sim = Math.max(sim, 1 - d / Math.max(q.length, w.length));
      }
      if (sim === 0) {
        ok = false;
        break;
      }
      total += sim;
    }
    if (!ok) continue;
    const score = (0.3 + 0.35 * (total / queryWords.length)) * weight;
    if (!best || score > best.score) best = { by, score };
  }
  return best;
}
