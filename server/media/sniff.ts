// Decides what a file is from its first bytes, before ffmpeg sees it. Playlists, concat lists, HTML,
// text and anything unrecognised are refused here, so ffmpeg is only ever pointed at one known
// container with its demuxer forced.
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { mediaError } from './mediaError.ts';
import { readAt } from './wav.ts';

export type MediaContainer =
  | 'wav'
  | 'mp3'
  /** ISO BMFF / QuickTime: mp4, m4a, mov, 3gp. */
  | 'mp4'
  | 'flac'
  | 'ogg'
  /** EBML: webm and mkv. */
  | 'webm'
  /** Raw ADTS AAC. */
  | 'aac'
  | 'aiff'
  | 'caf'
  | 'amr'
  /** wma / wmv. */
  | 'asf'
  | 'avi'
  | 'mpegts'
  | 'mpegps';

/** The ffmpeg demuxer to force for each container. */
export const demuxerFor: Record<MediaContainer, string> = {
  wav: 'wav',
  mp3: 'mp3',
  mp4: 'mov',
  flac: 'flac',
  ogg: 'ogg',
  webm: 'matroska',
  aac: 'aac',
  aiff: 'aiff',
  caf: 'caf',
  amr: 'amr',
  asf: 'asf',
  avi: 'avi',
  mpegts: 'mpegts',
  mpegps: 'mpeg',
};

const HEAD_BYTES = 4096;
const MAX_ID3_TAGS = 4;

const ascii = (bytes: Uint8Array, start: number, end: number) => Buffer.from(bytes.subarray(start, end)).toString('latin1');

const refuse = {
  empty: () => mediaError('UNSUPPORTED_MEDIA', 'EMPTY', 'The file is empty.'),
  playlist: (kind: string) =>
    mediaError('UNSUPPORTED_MEDIA', 'PLAYLIST', `The file is ${kind}, not media. Upload the audio or video itself.`),
  concat: () =>
    mediaError('UNSUPPORTED_MEDIA', 'CONCAT_LIST', 'The file is an ffmpeg concat list, not media. Upload the audio or video itself.'),
  html: () => mediaError('UNSUPPORTED_MEDIA', 'HTML', 'The file is an HTML page, not audio or video.'),
  text: (kind = 'text') => mediaError('UNSUPPORTED_MEDIA', 'TEXT', `The file is ${kind}, not audio or video.`),
  notMedia: (kind: string) => mediaError('UNSUPPORTED_MEDIA', 'NOT_MEDIA', `The file is ${kind}, not audio or video.`),
  unknown: () =>
    mediaError('UNSUPPORTED_MEDIA', 'UNKNOWN_FORMAT', 'The file is not in a recognised audio or video format.'),
  id3Only: () => mediaError('UNSUPPORTED_MEDIA', 'NO_AUDIO', 'The file holds an ID3 tag but no audio after it.'),
  notAFile: () => mediaError('UNSUPPORTED_MEDIA', 'UNREADABLE', 'The upload is not a regular file.'),
};

/** Reads the first bytes of `path` and names its container, or throws UNSUPPORTED_MEDIA saying why not. */
export async function sniffMedia(path: string): Promise<MediaContainer> {
  // A FIFO or device would block or never end: refuse anything but a regular file, without opening it.
  if (!(await stat(path)).isFile()) throw refuse.notAFile();
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const { size } = await fh.stat();
    if (size === 0) throw refuse.empty();
    const head = await readAt(fh, 0, Math.min(size, HEAD_BYTES));
    const strong = strongMagic(head);
    if (strong === 'id3') return await afterId3(fh, head, size);
    if (strong) return strong;
    refuseText(head, size);
    refuseKnownNonMedia(head);
    const weak = weakMagic(head);
    if (weak) return weak;
    throw refuse.unknown();
  } finally {
    await fh.close();
  }
}

/** Top-level atoms an old QuickTime file may start with (ISO BMFF files start with ftyp). */
const quickTimeAtoms = new Set(['moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);
const imageBrands = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1', 'avif', 'avis']);
const asfGuid = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');

/** Magic numbers that cannot be mistaken for text. */
function strongMagic(head: Buffer): MediaContainer | 'id3' | null {
  const at0 = ascii(head, 0, 4);
  const at4 = ascii(head, 4, 8);
  const at8 = ascii(head, 8, 12);
  if ((at0 === 'RIFF' || at0 === 'RIFX' || at0 === 'RF64' || at0 === 'BW64') && at8 === 'WAVE') return 'wav';
  if (at0 === 'RIFF' && at8 === 'AVI ') return 'avi';
  if (at0 === 'RIFF') throw refuse.notMedia(at8 === 'WEBP' ? 'a WebP image' : 'a RIFF file that is neither WAV nor AVI');
  if (at0 === 'fLaC') return 'flac';
  if (at0 === 'OggS') return 'ogg';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'webm';
  if (at4 === 'ftyp' && head.length >= 16) {
    const boxSize = head.readUInt32BE(0);
    if (boxSize >= 16 && boxSize <= 4096) {
      if (imageBrands.has(at8)) throw refuse.notMedia('a HEIF/AVIF image');
      return 'mp4';
    }
  }
  if (at0 === 'FORM' && (at8 === 'AIFF' || at8 === 'AIFC')) return 'aiff';
  if (at0 === 'caff') return 'caf';
  if (ascii(head, 0, 5) === '#!AMR') return 'amr';
  if (head.length >= 16 && head.subarray(0, 16).equals(asfGuid)) return 'asf';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x000001ba) return 'mpegps';
  if (isId3(head)) return 'id3';
  return null;
}

function isId3(bytes: Buffer): boolean {
  return (
    bytes.length >= 10 &&
    ascii(bytes, 0, 3) === 'ID3' &&
    bytes[3] >= 2 &&
    bytes[3] <= 4 &&
    bytes[4] !== 0xff &&
    bytes.subarray(6, 10).every((byte) => byte < 0x80)
  );
}

function refuseKnownNonMedia(head: Buffer): void {
  const hex = head.subarray(0, 8).toString('hex');
  const at0 = ascii(head, 0, 4);
  if (hex.startsWith('89504e47')) throw refuse.notMedia('a PNG image');
  if (hex.startsWith('ffd8ff')) throw refuse.notMedia('a JPEG image');
  if (at0 === 'GIF8') throw refuse.notMedia('a GIF image');
  if (at0 === '%PDF') throw refuse.notMedia('a PDF document');
  if (hex.startsWith('504b0304')) throw refuse.notMedia('a ZIP archive (or an Office document)');
  if (hex.startsWith('1f8b')) throw refuse.notMedia('a gzip archive');
  if (hex.startsWith('7f454c46')) throw refuse.notMedia('a program');
  if (at0 === 'Rar!' || hex.startsWith('377abcaf')) throw refuse.notMedia('an archive');
}

/** Frame-synced streams (MP3, ADTS AAC) and MPEG-TS, which need more than a fixed magic number. */
function weakMagic(head: Buffer): MediaContainer | null {
  if (isTransportStream(head)) return 'mpegts';
  if (head.length >= 16 && quickTimeAtoms.has(ascii(head, 4, 8)) && head.readUInt32BE(0) >= 8) return 'mp4';
  return frameSyncedFormat(head);
}

function isTransportStream(head: Buffer): boolean {
  for (const [offset, packet] of [
    [0, 188],
    [4, 192],
  ] as const) {
    if (head.length < offset + packet * 2 + 1) continue;
    if (head[offset] === 0x47 && head[offset + packet] === 0x47 && head[offset + packet * 2] === 0x47) return true;
  }
  return false;
}

async function afterId3(fh: FileHandle, head: Buffer, size: number): Promise<MediaContainer> {
  let position = 0;
  let buffer = head;
  for (let tags = 0; tags < MAX_ID3_TAGS && isId3(buffer); tags++) {
    const sizeBytes = buffer.subarray(6, 10);
    const tagSize = (sizeBytes[0] << 21) | (sizeBytes[1] << 14) | (sizeBytes[2] << 7) | sizeBytes[3];
    position += 10 + tagSize + (buffer[5] & 0x10 ? 10 : 0);
    if (position >= size) throw refuse.id3Only();
    buffer = await readAt(fh, position, Math.min(size - position, HEAD_BYTES));
  }
  if (ascii(buffer, 0, 4) === 'fLaC') return 'flac';
  const found = frameSyncedFormat(buffer);
  if (found) return found;
  throw refuse.unknown();
}

interface Frame {
  kind: 'mp3' | 'aac';
  length: number;
  /** Stream parameters that every frame of one stream shares. */
  key: number;
}

const mp3Bitrates = {
  v1l1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l1: [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const mp3SampleRates: Record<number, number[]> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};

/** An MPEG audio or ADTS frame header at `i`, if the bytes there form a valid one. */
function frameAt(bytes: Buffer, i: number): Frame | null {
  if (i + 7 > bytes.length || bytes[i] !== 0xff || (bytes[i + 1] & 0xe0) !== 0xe0) return null;
  const b1 = bytes[i + 1];
  const b2 = bytes[i + 2];
  const layerBits = (b1 >> 1) & 3;
  if (layerBits === 0) {
    // ADTS: 12-bit sync, layer 00.
    if ((b1 & 0xf0) !== 0xf0) return null;
    const sampleRateIndex = (b2 >> 2) & 0x0f;
    if (sampleRateIndex > 12) return null;
    const length = ((bytes[i + 3] & 0x03) << 11) | (bytes[i + 4] << 3) | (bytes[i + 5] >> 5);
    if (length < 7) return null;
    return { kind: 'aac', length, key: (b2 & 0xfc) | ((b1 >> 3) & 1) };
  }
  const version = (b1 >> 3) & 3;
  const bitrateIndex = b2 >> 4;
  const sampleRateIndex = (b2 >> 2) & 3;
  if (version === 1 || bitrateIndex === 0 || bitrateIndex === 15 || sampleRateIndex === 3) return null;
  if ((bytes[i + 3] & 3) === 2) return null; // reserved emphasis
  const layer = 4 - layerBits; // 1, 2 or 3
  const table =
    version === 3
      ? layer === 1
        ? mp3Bitrates.v1l1
        : layer === 2
          ? mp3Bitrates.v1l2
          : mp3Bitrates.v1l3
      : layer === 1
        ? mp3Bitrates.v2l1
        : mp3Bitrates.v2l23;
  const bitrate = table[bitrateIndex] * 1000;
  const sampleRate = mp3SampleRates[version][sampleRateIndex];
  const padding = (b2 >> 1) & 1;
  const length =
    layer === 1
      ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
      : Math.floor(((layer === 3 && version !== 3 ? 72 : 144) * bitrate) / sampleRate) + padding;
  return { kind: 'mp3', length, key: (version << 4) | (layerBits << 2) | sampleRateIndex };
}

/**
 * MP3 or ADTS by frame sync. At the expected start (after zero padding) one valid header is enough when
 * the next one lies beyond what was read; anywhere else two consecutive matching frames are required.
 */
function frameSyncedFormat(bytes: Buffer): 'mp3' | 'aac' | null {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  const first = frameAt(bytes, i);
  if (first) {
    const next = i + first.length;
    // A truncated or one-frame file ends before the next header: ffprobe has the last word on it.
    if (next + 7 > bytes.length || sameStream(first, frameAt(bytes, next))) return first.kind;
  }
  for (let j = i + 1; j + 7 <= bytes.length; j++) {
    const frame = frameAt(bytes, j);
    if (frame && j + frame.length + 7 <= bytes.length && sameStream(frame, frameAt(bytes, j + frame.length))) {
      return frame.kind;
    }
  }
  return null;
}

function sameStream(a: Frame, b: Frame | null): boolean {
  return b !== null && a.kind === b.kind && a.key === b.key;
}

const allowedControls = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b]);

/** Decodes `bytes` as text when it plausibly is text (UTF-8 or BOM-marked UTF-16), else null. */
function asText(bytes: Buffer, truncated: boolean): string | null {
  let text: string | null = null;
  const bom16 = bytes.length >= 2 ? bytes.readUInt16BE(0) : 0;
  if (bom16 === 0xfffe || bom16 === 0xfeff) {
    const body = bytes.subarray(2, bytes.length - (bytes.length % 2));
    try {
      text = new TextDecoder(bom16 === 0xfffe ? 'utf-16le' : 'utf-16be', { fatal: true }).decode(body);
    } catch {
      return null;
    }
  } else {
    if (bytes.includes(0)) return null;
    // The sample may end inside a multi-byte character.
    for (let cut = 0; cut <= (truncated ? 3 : 0) && text === null; cut++) {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
      } catch {
        text = null;
      }
    }
    if (text === null) return null;
  }
  let controls = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if ((code < 0x20 && !allowedControls.has(code)) || code === 0x7f || code === 0xfffd || code === 0) controls++;
  }
  return controls <= text.length * 0.01 ? text.replace(/^\uFEFF/, '') : null;
}

function refuseText(head: Buffer, size: number): void {
  const text = asText(head, size > head.length);
  if (text === null) return;
  const lower = text.trimStart().slice(0, 2048).toLowerCase();
  const lines = lower
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  if (lower.startsWith('#extm3u')) throw refuse.playlist('an HLS/M3U playlist');
  if (/(^|\n)\s*ffconcat version/.test(lower)) throw refuse.concat();
  if (lines.length > 0 && lines.every((line) => /^(file|duration|inpoint|outpoint|option|stream|exact_stream_id)\b/.test(line))) {
    throw refuse.concat();
  }
  if (lower.startsWith('[playlist]')) throw refuse.playlist('a PLS playlist');
  if (lower.startsWith('<!doctype html') || /<(html|head|body)[\s>]/.test(lower)) throw refuse.html();
  if (/<mpd[\s>]/.test(lower)) throw refuse.playlist('a DASH manifest');
  if (lower.startsWith('<')) throw refuse.text('an XML or markup document');
  if (lines.length > 0 && lines.every((line) => /^[a-z][a-z0-9+.-]*:\/\//.test(line))) {
    throw refuse.playlist('a list of links');
  }
  throw refuse.text();
}
