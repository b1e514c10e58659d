import { expect, it } from 'vitest';
import { isSendableJid } from '../../src/services/recipient.js';

it('accepts persons (phone JID, LID) and groups; refuses everything else', () => {
  for (const ok of ['447911123456@s.whatsapp.net', '123456789012345@lid', '120363000000000001@g.us', '447911123456-1600000000@g.us']) expect(isSendableJid(ok), ok).toBe(true);
  for (const bad of ['0@s.whatsapp.net', '0447911123456@s.whatsapp.net', '123@s.whatsapp.net', 'abc@s.whatsapp.net', 'a@b@c', 'status@broadcast', '1234@broadcast', '1@newsletter', 'x@lid', '12@g.us', '447911123456@example.com']) {
    expect(isSendableJid(bad), bad).toBe(false);
  }
});
