import {
  Curve,
  hmacSign,
  proto,
  WA_ADV_ACCOUNT_SIG_PREFIX,
  WA_ADV_DEVICE_SIG_PREFIX,
  type BinaryNode,
  type KeyPair,
} from '@whiskeysockets/baileys';
import { bytesOf, child } from './util/nodes.js';

/** What the QR shows: `https://wa.me/settings/linked_devices#ref,noiseKey,identityKey,advSecret,platformId`. */
export interface ParsedQr {
  ref: string;
  noiseKey: Buffer;
  identityKey: Buffer;
  advSecret: Buffer;
  platformId: string;
}

export function parseQr(qr: string): ParsedQr {
  const hash = qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr;
  const [ref, noise, identity, adv, platformId] = hash.split(',');
  if (!ref || !noise || !identity || !adv) throw new Error('not a WhatsApp pairing QR');
  return {
    ref,
    noiseKey: Buffer.from(noise, 'base64'),
    identityKey: Buffer.from(identity, 'base64'),
    advSecret: Buffer.from(adv, 'base64'),
    platformId: platformId ?? '',
  };
}

export interface PairingGrant {
  /** Content of `<pair-success>`. */
  pairSuccess: BinaryNode;
  /** ADVDeviceIdentity bytes the companion must counter-sign. */
  deviceDetails: Buffer;
}

/**
 * The fake primary phone: it owns the account identity key and signs companion devices the way
 * the real phone does (checked by Baileys in Utils/validate-connection.js configureSuccessfulPairing).
 */
export class FakePhone {
  constructor(readonly identity: KeyPair) {}

  grantPairing(input: {
    qr: ParsedQr;
    deviceJid: string;
    deviceLid: string;
    keyIndex: number;
    rawId: number;
    platform: string;
    businessName?: string;
  }): PairingGrant {
    const deviceDetails = Buffer.from(
      proto.ADVDeviceIdentity.encode({
        rawId: input.rawId,
        timestamp: Math.floor(Date.now() / 1000),
        keyIndex: input.keyIndex,
      }).finish(),
    );
    const accountSignature = Curve.sign(
      this.identity.private,
      Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, deviceDetails, input.qr.identityKey]),
    );
    const details = proto.ADVSignedDeviceIdentity.encode({
      details: deviceDetails,
      accountSignatureKey: this.identity.public,
      accountSignature,
    }).finish();
    const hmac = hmacSign(details, input.qr.advSecret);
    const deviceIdentity = proto.ADVSignedDeviceIdentityHMAC.encode({ details, hmac }).finish();
    const pairSuccess: BinaryNode = {
      tag: 'pair-success',
      attrs: {},
      content: [
        { tag: 'device-identity', attrs: {}, content: deviceIdentity },
        { tag: 'platform', attrs: { name: input.platform } },
        { tag: 'device', attrs: { jid: input.deviceJid, lid: input.deviceLid } },
        ...(input.businessName ? [{ tag: 'biz', attrs: { name: input.businessName } }] : []),
      ],
    };
    return { pairSuccess, deviceDetails };
  }

  /** Checks the companion's `<pair-device-sign>` reply: its device signature over our details. */
  verifyDeviceSignature(reply: BinaryNode, deviceDetails: Buffer, companionIdentity: Buffer): boolean {
    const sign = child(reply, 'pair-device-sign');
    const identityBytes = bytesOf(child(sign, 'device-identity'));
    if (!identityBytes) return false;
    const signed = proto.ADVSignedDeviceIdentity.decode(identityBytes);
    if (!signed.deviceSignature || !signed.details) return false;
    if (Buffer.compare(Buffer.from(signed.details), deviceDetails) !== 0) return false;
    const message = Buffer.concat([WA_ADV_DEVICE_SIG_PREFIX, deviceDetails, companionIdentity, this.identity.public]);
    return Curve.verify(companionIdentity, message, Buffer.from(signed.deviceSignature));
  }
}
