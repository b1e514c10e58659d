import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { DEFAULT_CONFIG, generateMessages, makeChats, makeContacts, makeVocab, pickQueries } from './store-data.js';
const dir = mkdtempSync(join(tmpdir(), 'lc-'));
const path = join(dir, 's.sqlite');
if (!process.env.LC_DB) {
const cfg = { ...DEFAULT_CONFIG, messages: 100000, chats: 10_000, groups: 1_000, contacts: 20_000, batchSize: 2_000 };
const store = openStore(path);
store.contacts.upsertContacts(makeContacts(cfg).map((c) => ({ id: c.id, name: c.name, pushname: c.pushname })));
const chats = makeChats(cfg);
store.chats.upsertChats(chats.map((c) => ({ id: c.id, name: c.name, isGroup: c.isGroup })));
const vocab = makeVocab(cfg.seed);
for (const batch of generateMessages(cfg, vocab, chats, pickQueries(vocab), false)) store.messages.upsertMessages(batch);
store.close();
console.log('built', path);
}
const s = openStore(process.env.LC_DB ?? path);
const time = (name: string, fn: () => unknown, n = 3000) => { for (let i = 0; i < 300; i++) fn(); const t0 = process.cpuUsage(); for (let i = 0; i < n; i++) fn(); const u = process.cpuUsage(t0); console.log(name, ((u.user + u.system) / n).toFixed(1), 'µs'); };
for (let r = 0; r < 2; r++) {
time('listChats(20)', () => s.chats.listChats({ limit: 20 }));
time('listChats(20) no last', () => s.chats.listChats({ limit: 20, includeLastMessage: false }));
const sql = (s.chats as unknown as { cache: Map<string, unknown> }).cache.keys().next().value as string;
const st = s.db.prepare(sql);
time('raw .all', () => st.all(21));
const st2 = s.db.prepare('SELECT c.id, c.jid, c.name, c.is_group, c.unread_count, c.last_ts, c.last_message_id FROM chats c ORDER BY c.last_ts DESC, c.id DESC LIMIT ?');
time('no joins .all', () => st2.all(21));
const st3 = s.db.prepare(sql.replace('LEFT JOIN chats mc ON mc.id = m.chat_id', '').replace('mc.jid AS m_chat', 'c.jid AS m_chat'));
time('without mc join', () => st3.all(21));
const st4 = s.db.prepare(sql);
st4.raw(true);
time('raw arrays', () => st4.all(21));
}
console.log(s.db.prepare('EXPLAIN QUERY PLAN ' + (s.chats as unknown as { cache: Map<string, unknown> }).cache.keys().next().value).all(21));
