/**
 * Content type from the bytes, not from the client: magic numbers for the common media types. A
 * declared type is only used when sniffing finds nothing and the declared type is on the allow-list
 * (plain data types that no browser renders as active content). Everything else is
 * `application/octet-stream`. HTML, SVG, XML and scripts are never served with their own type.
 */

/** How many leading bytes `sniffMime` needs. */
export const SNIFF_BYTES = 64;

function startsWith(b: Uint8Array, sig: readonly number[], offset = 0): boolean {
  if (b.length < offset + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[offset + i] !== sig[i]) return false;
  return true;
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The MIME type the bytes prove, or null. */
export function sniffMime(head: Uint8Array): string | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WAVE'), 8)) return 'audio/wav';
  if (startsWith(head, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...head.slice(8, 12));
    if (brand === 'M4A ' || brand === 'M4B ') return 'audio/mp4';
    if (brand === 'qt  ') return 'video/quicktime';
    if (brand.startsWith('3g')) return 'video/3gpp';
    if (brand === 'heic' || brand === 'heix' || brand === 'mif1') return 'image/heic';
    return 'video/mp4';
  }
  if (startsWith(head, ascii('OggS'))) {
    // The first page carries the codec id of the first stream at byte 28.
    if (startsWith(head, ascii('OpusHead'), 28)) return 'audio/ogg; codecs=opus';
    if (startsWith(head, [0x80, ...ascii('theora')], 28)) return 'video/ogg';
    return 'audio/ogg';
  }
  if (startsWith(head, ascii('ID3'))) return 'audio/mpeg';
  if (head.length >= 2 && head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0) {
    // MPEG audio frame sync; 0xFFF1/0xFFF9 is ADTS AAC.
    return ((head[1] ?? 0) & 0x06) === 0 ? 'audio/aac' : 'audio/mpeg';
  }
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
  if (startsWith(head, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'application/zip';
  if (startsWith(head, ascii('#!AMR'))) return 'audio/amr';
  return null;
}

/**
 * Declared types accepted when the bytes prove nothing: formats without a reliable magic number, or
 * containers (zip) whose specific type the client knows better. All are download-only data.
 */
const DECLARED_ALLOW = new Set([
  'text/plain',
  'text/csv',
  'application/json',
  'application/octet-stream',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.android.package-archive',
  'application/epub+zip',
  'application/x-7z-compressed',
  'application/gzip',
  'application/x-tar',
  'audio/aac',
  'audio/amr',
]);

/** Declared zip-based types: kept when the bytes are a zip. */
const ZIP_BASED = new Set([
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.android.package-archive',
  'application/epub+zip',
]);

export function normalizeMime(m: string | undefined | null): string | null {
  if (!m) return null;
  const base = m.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(base) ? base : null;
}

/** The type to store and serve: sniffed, else an allow-listed declared type, else octet-stream. */
export function decideMime(head: Uint8Array, declared?: string | null): string {
  const sniffed = sniffMime(head);
  const decl = normalizeMime(declared);
  if (sniffed === 'application/zip' && decl && ZIP_BASED.has(decl)) return decl;
  if (sniffed) return sniffed;
  if (decl && DECLARED_ALLOW.has(decl)) return decl;
  return 'application/octet-stream';
}

const EXT: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/3gpp': '3gp',
  'video/webm': 'webm',
  'video/ogg': 'ogv',
  'audio/mp4': 'm4a',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'audio/wav': 'wav',
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'application/json': 'json',
  'application/msword': 'doc',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.android.package-archive': 'apk',
  'application/epub+zip': 'epub',
  'application/x-7z-compressed': '7z',
  'application/gzip': 'gz',
  'application/x-tar': 'tar',
};

/** Safe file extension for a stored type (`bin` when unknown). */
export function extensionFor(mime: string): string {
  return EXT[normalizeMime(mime) ?? ''] ?? 'bin';
}

/** WhatsApp message kind for a MIME type. */
export function kindFor(mime: string): 'image' | 'video' | 'audio' | 'document' {
  const m = normalizeMime(mime) ?? '';
  if (m === 'image/jpeg' || m === 'image/png' || m === 'image/webp') return 'image';
  if (m === 'video/mp4' || m === 'video/3gpp' || m === 'video/quicktime') return 'video';
  if (m.startsWith('audio/')) return 'audio';
  return 'document';
}

/** Types a browser may show inline from /media (passive media only; PDFs and the rest download). */
export function isInlineSafe(mime: string): boolean {
  const m = normalizeMime(mime) ?? '';
  return /^(image\/(jpeg|png|gif|webp)|video\/(mp4|webm|ogg)|audio\/[a-z0-9.+-]+)$/.test(m);
}
