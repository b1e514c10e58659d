import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { chatJidOf, extractContent, lidPairsOf, mapStatus, toChatInput, toContactInput, toMessageInput } from '../../src/whatsapp/mapping.js';

const PN = '447700900001@s.whatsapp.net';
const LID = '123456789@lid';

describe('mapping Baileys payloads to store inputs', () => {
  it('prefers the phone JID for LID-addressed chats and reports the LID pair', () => {
    const key = { remoteJid: LID, remoteJidAlt: PN, id: 'ABC', fromMe: false };
    expect(chatJidOf(key)).toBe(PN);
    expect(lidPairsOf(key)).toEqual([{ lid: LID, pn: PN }]);
    expect(chatJidOf({ remoteJid: 'x:3@s.whatsapp.net' })).toBe('x@s.whatsapp.net');
  });

  it('maps text, captions, media and quotes', () => {
    expect(extractContent({ conversation: 'hi' })).toMatchObject({ type: 'text', body: 'hi', hasMedia: false });
    expect(extractContent({ extendedTextMessage: { text: 'reply', contextInfo: { stanzaId: 'Q1' } } })).toMatchObject({
      type: 'text',
      body: 'reply',
      quotedKeyId: 'Q1',
    });
    expect(extractContent({ imageMessage: { caption: 'look', mimetype: 'image/jpeg' } })).toMatchObject({
      type: 'image',
      body: 'look',
      caption: 'look',
      hasMedia: true,
      mediaMime: 'image/jpeg',
    });
    expect(extractContent({ documentWithCaptionMessage: { message: { documentMessage: { caption: 'doc', mimetype: 'application/pdf' } } } })).toMatchObject({
      type: 'document',
      body: 'doc',
      hasMedia: true,
    });
    expect(extractContent(undefined)).toMatchObject({ type: 'system', body: '' });
  });

  it('builds a message input with ms timestamps, author, status and the raw proto', () => {
    const msg = {
      key: { remoteJid: PN, id: 'K1', fromMe: true },
      message: { conversation: 'sent by me' },
      messageTimestamp: 1_700_000_000,
      status: proto.WebMessageInfo.Status.DELIVERY_ACK,
    } as WAMessage;
    const input = toMessageInput(msg, '447700900999@s.whatsapp.net');
    expect(input).toMatchObject({ chatId: PN, keyId: 'K1', fromMe: true, from: '447700900999@s.whatsapp.net', timestamp: 1_700_000_000_000, status: 'delivered', body: 'sent by me' });
    expect(proto.WebMessageInfo.decode(input!.raw!).key?.id).toBe('K1');
    expect(toMessageInput({ key: { remoteJid: PN } } as WAMessage, null)).toBeNull();
  });

  it('maps statuses forward-only names and chat/contact fields', () => {
    expect(mapStatus(proto.WebMessageInfo.Status.READ)).toBe('read');
    expect(mapStatus(undefined)).toBeNull();
    expect(toChatInput({ id: '1203630@g.us', name: 'Team', unreadCount: 2, conversationTimestamp: 1_700_000_000 })).toMatchObject({
      id: '1203630@g.us',
      isGroup: true,
      unreadCount: 2,
      timestamp: 1_700_000_000_000,
    });
    expect(toContactInput({ id: LID, phoneNumber: PN, notify: 'Ann' })).toMatchObject({ id: LID, lid: LID, phoneJid: PN, pushname: 'Ann', isMyContact: null });
    expect(toContactInput({ id: PN, name: 'Ann Smith' })).toMatchObject({ phoneJid: PN, name: 'Ann Smith', isMyContact: true });
  });
});
