/**
 * Worker-thread side of `HistoryWriter` (history-writer.ts): a second connection to the same store file
 * that writes bulk history, so its SQLite work (~60 % of a history sync's CPU) never holds the main
 * event loop. It writes nothing else: live messages and receipts stay on the main connection (exactly-once
 * inbound). Each request is applied in the same transactions the main thread would use.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { openDatabase } from './db.js';
import { ChatsRepo } from './repos/chats.js';
import { ContactsRepo } from './repos/contacts.js';
import { IdentityRepo, type StoreContext } from './repos/identity.js';
import { MessagesRepo } from './repos/messages.js';
import type { WriterReply, WriterRequest } from './history-writer.js';

const { path } = workerData as { path: string };
const port = parentPort;
if (!port) throw new Error('writer-worker must run in a worker thread');

const db = openDatabase(path);
const ctx: StoreContext = { db, chatIds: new Map(), canonical: new Map(), ingestMemo: new Map(), now: Date.now };
const identity = new IdentityRepo(ctx);
const contacts = new ContactsRepo(ctx, identity);
const chats = new ChatsRepo(ctx, identity);
const messages = new MessagesRepo(ctx, identity, chats);

port.on('message', (req: WriterRequest) => {
  if (req.type === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    // The main thread learns LID↔phone mappings and merges chats between requests: resolve afresh.
    ctx.chatIds.clear();
    ctx.canonical.clear();
    ctx.ingestMemo.clear();
    const touched = new Set<string>();
    if (req.contacts?.length) contacts.upsertContacts(req.contacts);
    if (req.chats?.length) chats.upsertChats(req.chats);
    if (req.messages?.length) messages.upsertMessages(req.messages);
    if (req.reactions?.length) for (const c of messages.applyReactions(req.reactions)) touched.add(c);
    if (req.votes?.length) for (const c of messages.applyPollVotes(req.votes)) touched.add(c);
    reply = { id: req.id, ok: true, touched: [...touched] };
  } catch (err) {
    reply = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
