import { openStore } from '../src/store/index.js';
const s = openStore(process.env.LC_DB!);
const time = (name: string, sql: string, n = 3000) => { const st = s.db.prepare(sql).raw(true); for (let i = 0; i < 300; i++) st.all(21); const t0 = process.cpuUsage(); for (let i = 0; i < n; i++) st.all(21); const u = process.cpuUsage(t0); console.log(name.padEnd(30), ((u.user + u.system) / n).toFixed(1), 'µs'); };
const base = 'FROM chats c';
const ord = ' ORDER BY c.last_ts DESC, c.id DESC LIMIT ?';
for (let r = 0; r < 2; r++) {
time('chats only', `SELECT c.id, c.jid, c.name ${base}${ord}`);
time('+ groups', `SELECT c.id, c.jid, coalesce(c.name, g.subject) ${base} LEFT JOIN groups g ON g.jid = c.jid${ord}`);
time('+ contacts', `SELECT c.id, c.jid, coalesce(c.name, ct.name, ct.pushname) ${base} LEFT JOIN contacts ct ON ct.jid = c.jid${ord}`);
time('+ messages', `SELECT c.id, c.jid, m.body, m.key_id, m.sender, m.ts ${base} LEFT JOIN messages m ON m.id = c.last_message_id${ord}`);
time('+ messages + mc + ml', `SELECT c.id, c.jid, m.body, mc.jid, coalesce(ml.pn, m.sender) ${base} LEFT JOIN messages m ON m.id = c.last_message_id LEFT JOIN chats mc ON mc.id = m.chat_id LEFT JOIN lid_mappings ml ON ml.lid = m.sender${ord}`);
}
console.log(s.db.prepare('select count(*) n, sum(length(raw)) r from messages').get());
