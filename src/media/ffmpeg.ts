/**
 * Voice notes: WhatsApp plays push-to-talk audio as ogg/opus. Other audio is converted with ffmpeg,
 * taken from FFMPEG_PATH or found on PATH; without it `as_audio_message` fails with a clear message
 * (unless the input already is ogg/opus, which needs no conversion).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AppError } from '../errors.js';

export function findFfmpeg(configured: string | undefined, envPath = process.env.PATH ?? ''): string | null {
  const candidates = configured ? [configured] : envPath.split(delimiter).filter(Boolean).map((d) => join(d, 'ffmpeg'));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return null;
}

export function ffmpegMissing(configured: string | undefined): AppError {
  return new AppError(
    'ffmpeg_missing',
    configured ? `as_audio_message needs ffmpeg, but FFMPEG_PATH=${configured} is not an executable` : 'as_audio_message needs ffmpeg to convert the audio to ogg/opus, and ffmpeg is not on PATH',
    'Install ffmpeg (or set FFMPEG_PATH), send an ogg/opus file, or send without as_audio_message',
  );
}

/** Converts any audio input to mono 48 kHz ogg/opus at `output`. */
export function convertToOpus(ffmpeg: string, input: string, output: string, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', input, '-vn', '-ac', '1', '-ar', '48000', '-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg', output], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString();
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', (err) => {
      clearTimeout(timer);
      reject(new AppError('conversion_failed', `ffmpeg could not be started (${err.message})`, 'Check FFMPEG_PATH, or send without as_audio_message'));
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new AppError('conversion_failed', `ffmpeg could not convert the audio (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`, 'Send a valid audio file, or send without as_audio_message'));
    });
  });
}
