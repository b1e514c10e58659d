/**
 * Seeded synthetic WhatsApp history for the store benchmark (`bench/store.bench.ts`).
 *
 * - contacts with Latin / Cyrillic names and phone numbers; direct chats + groups;
 * - messages in three languages, each with its own Zipf-distributed vocabulary (≥ 20,000 words total):
 *   Latin with accents, Cyrillic, and CJK (written without spaces, so words sit inside longer runs);
 *   emoji glued to words; sentence-initial capitals;
 * - chats get messages with a Zipf-like skew (a few busy chats, a long tail);
 * - messages come out in chronological batches, like a history-sync stream.
 *
 * The generator also counts, for a set of query strings chosen before generation, how many messages
 * really contain them (after case / accent folding): the reference for recall.
 */
import type { MessageInput } from '../src/store/types.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

class Zipf {
  private readonly cdf: Float64Array;
  constructor(n: number, s = 1) {
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += 1 / Math.pow(i + 1, s);
      this.cdf[i] = sum;
    }
    for (let i = 0; i < n; i++) this.cdf[i]! /= sum;
  }
  sample(r: number): number {
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const LATIN_SYL = ['ka', 'lo', 'ma', 'ri', 'te', 'so', 'na', 'vi', 'de', 'pu', 'ché', 'rö', 'ña', 'lé', 'çu', 'bø', 'gi', 'fa', 'mü', 'zo', 'tra', 'bel', 'cor', 'dan', 'és', 'pan', 'sil', 'vou', 'rin', 'hal'];
const CYR_SYL = ['ка', 'ло', 'ма', 'ри', 'те', 'со', 'на', 'ви', 'де', 'пу', 'жи', 'ще', 'ры', 'ёл', 'бо', 'гу', 'за', 'ми', 'ть', 'ян', 'про', 'вет', 'дом', 'сть', 'ный'];
const CJK_CHARS = Array.from('的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广王');
const EMOJI = ['😀', '🎉', '❤️', '👍', '🙏', '😂', '🔥', '☕', '✨', '🚀'];
const FIRST_LATIN = ['Ana', 'Bruno', 'Chloé', 'Dmitri', 'Élodie', 'François', 'Jürgen', 'Lucía', 'Marta', 'Noé', 'Olga', 'Pedro', 'Søren', 'Zoë', 'Ivan', 'Mia', 'Liam', 'Emma', 'Hugo', 'Lena'];
const FIRST_CYR = ['Алексей', 'Мария', 'Иван', 'Ольга', 'Дмитрий', 'Анна', 'Сергей', 'Елена', 'Пётр', 'Наталья'];
const LAST = ['García', 'Müller', 'Smith', 'Nováková', 'Rossi', 'Dubois', 'Иванов', 'Петрова', 'Kowalski', 'Silva', 'Jensen', 'Öztürk', 'Nguyen', 'Tanaka', 'Kim'];

export interface Vocab {
  latin: string[];
  cyr: string[];
  cjk: string[];
}

function makeWords(rand: () => number, syl: readonly string[], n: number, minSyl: number, maxSyl: number, seen: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const k = minSyl + Math.floor(rand() * (maxSyl - minSyl + 1));
    let w = '';
    for (let i = 0; i < k; i++) w += syl[Math.floor(rand() * syl.length)]!;
    const f = fold(w);
    if (seen.has(f)) continue;
    seen.add(f);
    out.push(w);
  }
  return out;
}

export function makeVocab(seed: number): Vocab {
  const rand = mulberry32(seed);
  const seen = new Set<string>();
  const latin = makeWords(rand, LATIN_SYL, 12_000, 2, 4, seen);
  const cyr = makeWords(rand, CYR_SYL, 6_000, 2, 4, seen);
  const cjk = makeWords(rand, CJK_CHARS, 4_000, 2, 3, seen);
  return { latin, cyr, cjk };
}

export interface DatasetConfig {
  seed: number;
  messages: number;
  chats: number;
  contacts: number;
  groups: number;
  batchSize: number;
  startTs: number;
}

export const DEFAULT_CONFIG: DatasetConfig = {
  seed: 42,
  messages: 1_000_000,
  chats: 5_000,
  contacts: 20_000,
  groups: 1_000,
  batchSize: 1_000,
  startTs: Date.UTC(2024, 0, 1),
};

export interface ContactSeed {
  id: string;
  name: string | null;
  pushname: string;
}

export interface ChatSeed {
  id: string;
  name: string | null;
  isGroup: boolean;
  members: number[];
}

export function contactJid(i: number): string {
  return `${447000000000 + i * 7919}@s.whatsapp.net`;
}

export function makeContacts(cfg: DatasetConfig): ContactSeed[] {
  const rand = mulberry32(cfg.seed + 1);
  const out: ContactSeed[] = [];
  for (let i = 0; i < cfg.contacts; i++) {
    const cyr = rand() < 0.25;
    const first = cyr ? FIRST_CYR[Math.floor(rand() * FIRST_CYR.length)]! : FIRST_LATIN[Math.floor(rand() * FIRST_LATIN.length)]!;
    const last = LAST[Math.floor(rand() * LAST.length)]!;
    const inBook = rand() < 0.6;
    out.push({ id: contactJid(i), name: inBook ? `${first} ${last} ${i}` : null, pushname: `${first}${i % 97}` });
  }
  return out;
}

export function makeChats(cfg: DatasetConfig): ChatSeed[] {
  const rand = mulberry32(cfg.seed + 2);
  const out: ChatSeed[] = [];
  const direct = cfg.chats - cfg.groups;
  for (let i = 0; i < direct; i++) out.push({ id: contactJid(i), name: null, isGroup: false, members: [i] });
  for (let g = 0; g < cfg.groups; g++) {
    const size = 3 + Math.floor(rand() * 60);
    const members: number[] = [];
    for (let k = 0; k < size; k++) members.push(Math.floor(rand() * cfg.contacts));
    out.push({ id: `1203630${String(100000 + g)}@g.us`, name: `Group ${g} ${LAST[g % LAST.length]}`, isGroup: true, members });
  }
  return out;
}

/** A query whose true match count the generator tracks. */
export interface TrackedQuery {
  cls: string;
  /** What a user would type (for phrases: with double quotes). */
  query: string;
  /** For LIKE: the raw substring. */
  like: string;
  kind: 'word' | 'phrase' | 'cjk';
  /** folded tokens (word: [w]; phrase: [w1, w2]; cjk: [substring]) */
  tokens: string[];
  count: number;
}

/** Pick query strings by class from the vocabularies (before generation, by Zipf rank). */
export function pickQueries(v: Vocab): TrackedQuery[] {
  const q: TrackedQuery[] = [];
  const word = (cls: string, w: string, typed?: string) =>
    q.push({ cls, query: typed ?? w, like: typed ?? w, kind: 'word', tokens: [fold(w)], count: 0 });
  // frequent: 10k+ matches (low Zipf ranks)
  for (const r of [8, 15, 25]) word('frequent', v.latin[r]!);
  word('frequent', v.cyr[6]!);
  // medium: ~500 matches
  for (const r of [900, 1000, 1100]) word('medium', v.latin[r]!);
  word('medium', v.cyr[420]!);
  // accent-folded: typed without accents / lower case
  const accented = v.latin.slice(30, 3000).filter((w) => fold(w) !== w.toLowerCase()).slice(0, 3);
  for (const w of accented) word('accent_folded', w, fold(w));
  // absent
  for (const w of ['zzqxv', 'nonexistentword', 'щщыхъ']) word('absent', w);
  // phrase: two frequent words in sequence
  for (const [a, b] of [[2, 4], [5, 9], [1, 12]] as const) {
    const w1 = v.latin[a]!;
    const w2 = v.latin[b]!;
    q.push({ cls: 'phrase', query: `"${w1} ${w2}"`, like: `${w1} ${w2}`, kind: 'phrase', tokens: [fold(w1), fold(w2)], count: 0 });
  }
  // CJK substring: words written inside longer runs
  for (const r of [20, 60, 200]) {
    const w = v.cjk[r]!;
    q.push({ cls: 'cjk_substring', query: w, like: w, kind: 'cjk', tokens: [w], count: 0 });
  }
  return q;
}

/** Stream the messages in chronological batches; updates `queries[i].count` as it goes. */
export function* generateMessages(
  cfg: DatasetConfig,
  v: Vocab,
  chats: readonly ChatSeed[],
  queries: TrackedQuery[],
  withRaw = true,
): Generator<MessageInput[]> {
  const rand = mulberry32(cfg.seed + 3);
  const zl = new Zipf(v.latin.length);
  const zc = new Zipf(v.cyr.length);
  const zj = new Zipf(v.cjk.length);
  const zchat = new Zipf(chats.length, 0.8);
  const chatOrder = Array.from(chats.keys());
  // Shuffle so busy chats are a mix of groups and direct chats.
  for (let i = chatOrder.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [chatOrder[i], chatOrder[j]] = [chatOrder[j]!, chatOrder[i]!];
  }
  const wordQ = queries.filter((q) => q.kind === 'word');
  const wordIdx = new Map<string, TrackedQuery[]>();
  for (const q of wordQ) wordIdx.set(q.tokens[0]!, [...(wordIdx.get(q.tokens[0]!) ?? []), q]);
  const phraseQ = queries.filter((q) => q.kind === 'phrase');
  const cjkQ = queries.filter((q) => q.kind === 'cjk');
  let ts = cfg.startTs;
  let batch: MessageInput[] = [];
  for (let n = 0; n < cfg.messages; n++) {
    ts += 1 + Math.floor(rand() * 120_000);
    const chat = chats[chatOrder[zchat.sample(rand())]!]!;
    const lang = rand();
    const nWords = 3 + Math.floor(rand() * 12);
    let body: string;
    const folded: string[] = [];
    if (lang < 0.1) {
      let s = '';
      for (let k = 0; k < nWords; k++) {
        s += v.cjk[zj.sample(rand())]!;
        if (k % 4 === 3 && k < nWords - 1) s += rand() < 0.5 ? '，' : '。';
      }
      body = s;
      for (const q of cjkQ) if (s.includes(q.tokens[0]!)) q.count++;
    } else {
      const list = lang < 0.75 ? v.latin : v.cyr;
      const z = lang < 0.75 ? zl : zc;
      const words: string[] = [];
      for (let k = 0; k < nWords; k++) {
        const w = list[z.sample(rand())]!;
        words.push(w);
        folded.push(fold(w));
      }
      words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
      if (rand() < 0.15) {
        const k = Math.floor(rand() * words.length);
        const e = EMOJI[Math.floor(rand() * EMOJI.length)]!;
        words[k] = rand() < 0.5 ? words[k] + e : e + words[k];
      }
      body = words.join(' ');
      const seen = new Set<string>();
      for (const f of folded) {
        if (seen.has(f)) continue;
        seen.add(f);
        const qs = wordIdx.get(f);
        if (qs) for (const q of qs) q.count++;
      }
      for (const q of phraseQ) {
        for (let k = 0; k + 1 < folded.length; k++) {
          if (folded[k] === q.tokens[0] && folded[k + 1] === q.tokens[1]) {
            q.count++;
            break;
          }
        }
      }
    }
    const sender = chat.isGroup ? contactJid(chat.members[Math.floor(rand() * chat.members.length)]!) : chat.id;
    const fromMe = rand() < 0.35;
    const media = rand() < 0.05;
    const msg: MessageInput = {
      chatId: chat.id,
      keyId: `3EB0${n.toString(16).toUpperCase().padStart(12, '0')}`,
      from: fromMe ? '447000000000@s.whatsapp.net' : sender,
      fromMe,
      timestamp: ts,
      type: media ? 'image' : 'text',
      body: media ? null : body,
      caption: media ? body : null,
      hasMedia: media,
      mediaMime: media ? 'image/jpeg' : null,
      status: fromMe ? 'read' : null,
    };
    if (withRaw) msg.raw = Buffer.from(`\n\x1a\n\x15${chat.id}\x10\x01\x1a\x14${msg.keyId}\x12${body}`, 'utf8');
    batch.push(msg);
    if (batch.length === cfg.batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
