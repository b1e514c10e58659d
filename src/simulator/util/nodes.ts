import { getBinaryNodeChild, getBinaryNodeChildren, type BinaryNode } from '@whiskeysockets/baileys';

export const S_WHATSAPP_NET = 's.whatsapp.net';

export function childNodes(node: BinaryNode | undefined): BinaryNode[] {
  return Array.isArray(node?.content) ? node.content : [];
}

export function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return getBinaryNodeChild(node, tag);
}

export function children(node: BinaryNode | undefined, tag: string): BinaryNode[] {
  return getBinaryNodeChildren(node, tag);
}

/** The node's content as bytes (strings are UTF-8 encoded), or undefined. */
export function bytesOf(node: BinaryNode | undefined): Buffer | undefined {
  const content = node?.content;
  if (content instanceof Uint8Array) return Buffer.from(content);
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return undefined;
}

export function uintOf(node: BinaryNode | undefined): number | undefined {
  const bytes = bytesOf(node);
  if (!bytes || bytes.length === 0 || bytes.length > 6) return undefined;
  return bytes.readUIntBE(0, bytes.length);
}

export function iqResult(request: BinaryNode, content?: BinaryNode[]): BinaryNode {
  return {
    tag: 'iq',
    attrs: { id: request.attrs.id ?? '', type: 'result', from: S_WHATSAPP_NET },
    ...(content ? { content } : {}),
  };
}

export function iqError(request: BinaryNode, code: number, text: string): BinaryNode {
  return {
    tag: 'iq',
    attrs: { id: request.attrs.id ?? '', type: 'error', from: S_WHATSAPP_NET },
    content: [{ tag: 'error', attrs: { code: String(code), text } }],
  };
}

export function unixSeconds(): string {
  return String(Math.floor(Date.now() / 1000));
}
