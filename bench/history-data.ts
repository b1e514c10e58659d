/**
 * The store bench's account (bench/store-data.ts: chats, contacts, messages in four scripts) as the
 * simulated phone uploads it for a fresh link: push names, chat metadata, then the messages as
 * HistorySync items. Used by bench/history.bench.ts (1M) and by the 50k correctness test.
 *
 * The generator produces messages oldest first; WhatsApp uploads newest first. The order does not change
 * what is stored; it is kept so the tracked query counts stay exact while streaming.
 */
import { proto } from '@whiskeysockets/baileys';

import type { HistoryItem } from '../src/simulator/index.js';
import { DEFAULT_CONFIG, generateMessages, makeChats, makeContacts, makeVocab, pickQueries, type DatasetConfig, type TrackedQuery } from './store-data.js';

export interface HistoryDataset {
  cfg: DatasetConfig;
  /** A fresh lazy stream of the whole account (the simulator calls it once per linked device). */
  source: () => Generator<HistoryItem | HistoryItem[]>;
  /** Queries whose exact match counts are known once the stream has been consumed. */
  queries: TrackedQuery[];
  chats: number;
  contacts: number;
}

/** The dataset for `messages` messages; chats and contacts scale down below 1M (at least 50 / 200). */
export function historyDataset(messages: number): HistoryDataset {
  const scale = Math.min(1, messages / DEFAULT_CONFIG.messages);
  const cfg: DatasetConfig = {
    ...DEFAULT_CONFIG,
    messages,
    chats: Math.max(50, Math.round(DEFAULT_CONFIG.chats * scale)),
    contacts: Math.max(200, Math.round(DEFAULT_CONFIG.contacts * scale)),
    groups: Math.max(10, Math.round(DEFAULT_CONFIG.groups * scale)),
  };
  const vocab = makeVocab(cfg.seed);
  const contacts = makeContacts(cfg);
  const chats = makeChats(cfg);
  const queries = pickQueries(vocab);
  const source = function* (): Generator<HistoryItem | HistoryItem[]> {
    for (const q of queries) q.count = 0;
    for (const c of contacts) yield { type: 'contact', contact: { id: c.id, pushName: c.pushname } };
    for (const c of chats) yield { type: 'chat', chat: c.name ? { id: c.id, name: c.name } : { id: c.id } };
    for (const batch of generateMessages(cfg, vocab, chats, queries, false)) {
      yield batch.map((m): HistoryItem => {
        const text = m.body ?? m.caption ?? '';
        const message: proto.IMessage = m.hasMedia ? { imageMessage: { caption: text, mimetype: m.mediaMime ?? 'image/jpeg' } } : { conversation: text };
        const group = m.chatId.endsWith('@g.us');
        return {
          type: 'message',
          message: {
            chatId: m.chatId,
            id: m.keyId,
            fromMe: m.fromMe,
            ...(group && !m.fromMe && m.from ? { participant: m.from } : {}),
            timestamp: Math.floor(m.timestamp / 1000),
            message,
          },
        };
      });
    }
  };
  return { cfg, source, queries, chats: chats.length, contacts: contacts.length };
}
