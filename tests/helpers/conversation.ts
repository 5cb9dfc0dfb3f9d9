/**
 * A conversation of several flite voices in one 16 kHz mono WAV: each line spoken by its voice,
 * lines joined with pauses of faint noise. Returns where each line lies, to check speaker labels.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeSilence, synthesizeSpeech, wavDurationSeconds, type FliteVoice } from './speech.ts';

const run = promisify(execFile);

export interface ConversationLine {
  voice: FliteVoice;
  text: string;
}

export interface SpokenLine extends ConversationLine {
  start: number;
  end: number;
}

export interface Conversation {
  wavPath: string;
  durationSeconds: number;
  lines: SpokenLine[];
  /** The 16-bit PCM samples of the whole file (after its 44-byte header). */
  pcm: Buffer;
}

export async function makeConversation(
  lines: readonly ConversationLine[],
  outPath: string,
  options: { pauseSeconds?: number; leadSeconds?: number } = {},
): Promise<Conversation> {
  const { pauseSeconds = 1.2, leadSeconds = 0.8 } = options;
  const scratch = `${outPath}.parts`;
  await mkdir(scratch, { recursive: true });
  try {
    const parts = [await makeSilence(leadSeconds, path.join(scratch, 'lead.wav'))];
    let time = leadSeconds;
    const spoken: SpokenLine[] = [];
    for (const [index, line] of lines.entries()) {
      const file = await synthesizeSpeech(line.text, path.join(scratch, `line-${index}.wav`), line.voice);
      const duration = await wavDurationSeconds(file);
      spoken.push({ ...line, start: time, end: time + duration });
      parts.push(file, await makeSilence(pauseSeconds, path.join(scratch, `pause-${index}.wav`)));
      time += duration + pauseSeconds;
    }
    await run('sox', [...parts, outPath]);
    const file = await readFile(outPath);
    const dataAt = file.indexOf('data', 12, 'ascii');
    return { wavPath: outPath, durationSeconds: await wavDurationSeconds(outPath), lines: spoken, pcm: file.subarray(dataAt + 8) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Where (seconds) a chunk's audio (a WAV the pipeline cut from `conversation`) begins in it, or null. */
export function chunkOffsetSeconds(conversation: Conversation, chunkWav: Buffer): number | null {
  const dataAt = chunkWav.indexOf('data', 12, 'ascii');
  const probe = chunkWav.subarray(dataAt + 8, dataAt + 8 + 3200);
  if (probe.length < 3200) return null;
  for (let from = 0; ; ) {
    const at = conversation.pcm.indexOf(probe, from);
    if (at < 0) return null;
    if (at % 2 === 0) return at / 2 / 16_000;
    from = at + 1;
  }
}

/** The line a time range overlaps most, or null when it overlaps none. */
export function lineOf(conversation: Conversation, start: number, end: number): SpokenLine | null {
  let best: SpokenLine | null = null;
  let bestOverlap = 0;
  for (const line of conversation.lines) {
    const overlap = Math.min(end, line.end) - Math.max(start, line.start);
    if (overlap > bestOverlap) {
      best = line;
      bestOverlap = overlap;
    }
  }
  return best;
}
