import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { getMediaKeys, type MediaType } from '@whiskeysockets/baileys';

const MAC_LENGTH = 10;

async function keysFor(mediaKey: Uint8Array, type: MediaType): Promise<{ iv: Uint8Array; cipherKey: Uint8Array; macKey: Uint8Array }> {
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, type);
  if (!macKey) throw new Error('media keys without a MAC key');
  return { iv, cipherKey, macKey };
}

export interface EncryptedMedia {
  mediaKey: Buffer;
  /** What the media host stores: AES-256-CBC ciphertext ‖ 10-byte HMAC. */
  file: Buffer;
  fileSha256: Buffer;
  fileEncSha256: Buffer;
  fileLength: number;
}

/** WhatsApp media encryption (same keys and layout as Baileys' encryptedStream). */
export async function encryptMedia(plain: Buffer, type: MediaType): Promise<EncryptedMedia> {
  const mediaKey = randomBytes(32);
  const { iv, cipherKey, macKey } = await keysFor(mediaKey, type);
  const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
  const enc = Buffer.concat([cipher.update(plain), cipher.final()]);
  const mac = createHmac('sha256', macKey).update(iv).update(enc).digest().subarray(0, MAC_LENGTH);
  const file = Buffer.concat([enc, mac]);
  return {
    mediaKey,
    file,
    fileSha256: createHash('sha256').update(plain).digest(),
    fileEncSha256: createHash('sha256').update(file).digest(),
    fileLength: plain.length,
  };
}

/** Verifies the MAC and decrypts what a client uploaded; throws on tampering. */
export async function decryptMedia(file: Buffer, mediaKey: Uint8Array, type: MediaType): Promise<Buffer> {
  const { iv, cipherKey, macKey } = await keysFor(mediaKey, type);
  const enc = file.subarray(0, file.length - MAC_LENGTH);
  const mac = file.subarray(file.length - MAC_LENGTH);
  const expected = createHmac('sha256', macKey).update(iv).update(enc).digest().subarray(0, MAC_LENGTH);
  if (!expected.equals(mac)) throw new Error('media MAC mismatch');
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  return Buffer.concat([decipher.update(enc), decipher.final()]);
}
