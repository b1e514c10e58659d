/** Shapes shared by the three media tools (SPEC §4 upload response fields). */
import { z } from 'zod';

export const FileShape = {
  filename: z.string().describe('Stored file name (random); GET /media/<filename>'),
  originalFilename: z.string().nullable(),
  mimetype: z.string().describe('Type sniffed from the bytes'),
  size: z.number().describe('Bytes'),
  sha256: z.string(),
  url: z.string().describe('Path on this server (/media/<file>; needs the admin token)'),
  publicUrl: z.string().optional().describe('Signed absolute URL (needs no credential; expires after 7 days); only when media_public_base_url is set'),
};

export const mediaUrlInput = z
  .string()
  .trim()
  .min(8)
  .max(4000)
  .describe('http(s) URL to fetch (public hosts only; redirects followed and re-checked; size capped by upload_max_mb)');
export const mediaContentInput = z.string().min(1).describe('File bytes as base64 (or a data: URL); the type is sniffed from the bytes');
export const mimeInput = z.string().trim().min(3).max(200).describe('MIME type of media_content (a hint: the stored type is sniffed from the bytes)');
export const filenameInput = z.string().trim().min(1).max(255).describe('File name shown to the recipient (documents) and kept as metadata');
