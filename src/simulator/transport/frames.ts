/**
 * WhatsApp Web framing: every frame is a 3-byte big-endian length followed by the payload.
 * The client's very first bytes carry an intro header: `WA <ver> <dict>` (4 bytes) or, when it
 * has routing info, `ED 0 1 <len:3> <routing> WA <ver> <dict>` (Utils/noise-handler.js).
 */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private sawHeader = false;
  /** The intro header exactly as sent (the noise prologue hashes it). */
  header: Buffer | undefined;

  /** Feeds bytes; returns complete frames. Throws on a malformed intro header. */
  push(data: Buffer): Buffer[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    if (!this.sawHeader && !this.readHeader()) return [];
    const frames: Buffer[] = [];
    while (this.buffer.length >= 3) {
      const size = this.buffer.readUIntBE(0, 3);
      if (this.buffer.length < size + 3) break;
      frames.push(Buffer.from(this.buffer.subarray(3, size + 3)));
      this.buffer = this.buffer.subarray(size + 3);
    }
    return frames;
  }

  private readHeader(): boolean {
    const b = this.buffer;
    if (b.length < 4) return false;
    let offset = 0;
    if (b[0] === 0x45 && b[1] === 0x44) {
      // 'ED' routing prefix: 2 bytes magic, 2 bytes version, 3 bytes length, routing info
      if (b.length < 7) return false;
      const routingLength = b.readUIntBE(4, 3);
      offset = 7 + routingLength;
      if (b.length < offset + 4) return false;
    }
    if (b[offset] !== 0x57 || b[offset + 1] !== 0x41) throw new Error('missing WA intro header');
    this.header = Buffer.from(b.subarray(offset, offset + 4));
    this.buffer = b.subarray(offset + 4);
    this.sawHeader = true;
    return true;
  }
}

export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(payload.length + 3);
  frame.writeUIntBE(payload.length, 0, 3);
  frame.set(payload, 3);
  return frame;
}
