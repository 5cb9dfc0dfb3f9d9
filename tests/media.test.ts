// server/media against real files made here with flite, sox and ffmpeg: sniffing by magic bytes,
// ffprobe, normalising to 16 kHz mono PCM, refusing bad input with a code and a readable reason,
// and cutting long audio into chunks at quiet places.
import { execFile } from 'node:child_process';
import { open, mkdtemp, readFile, rm, stat, truncate, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../server/errors.ts';
import { extractChunk, planChunks } from '../server/media/chunks.ts';
import { formatDuration } from '../server/media/mediaError.ts';
import { assertAudible, measureLevels, normaliseAudio } from '../server/media/normalise.ts';
import { prepareAudio } from '../server/media/prepare.ts';
import { probeMedia } from '../server/media/probe.ts';
import { sniffMedia, type MediaContainer } from '../server/media/sniff.ts';
import { readWavInfo, readPcmBlocks } from '../server/media/wav.ts';
import { waitFor } from './helpers/wait.ts';

const run = promisify(execFile);
let dir: string;
let speechSeconds: number;
const file = (name: string) => path.join(dir, name);
const ffmpeg = (...args: string[]) => run('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);

const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'She sells sea shells by the sea shore.',
  'A journey of a thousand miles begins with a single step.',
  'Please call Stella and ask her to bring these things.',
  'The rain in Spain stays mainly in the plain.',
  'We will meet again on Tuesday afternoon.',
  'Every morning the baker opens his shop at six.',
  'The library closes early on public holidays.',
  'Bright stars were shining over the quiet valley.',
  'He forgot his umbrella on the crowded train.',
  'Our team finished the project ahead of schedule.',
  'The museum has a new exhibit about ancient ships.',
  'Fresh bread and warm soup make a good dinner.',
  'The children played in the garden until sunset.',
  'A gentle wind carried the smell of the sea.',
  'Nobody expected the concert to sell out so quickly.',
];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-media-'));
  // ~5 s of speech, 44.1 kHz stereo so every format also exercises resampling and downmixing.
  await run('flite', ['-voice', 'slt', '-t', SENTENCES.slice(0, 2).join(' '), '-o', file('flite.wav')]);
  await run('sox', [file('flite.wav'), '-r', '44100', '-c', '2', '-b', '16', file('speech.wav')]);
  speechSeconds = (await readWavInfo(file('speech.wav'))).durationSeconds;
  const src = file('speech.wav');
  const video = ['-f', 'lavfi', '-i', `color=c=navy:s=160x120:r=15:d=${(speechSeconds + 0.5).toFixed(2)}`];
  await Promise.all([
    ffmpeg('-i', src, '-c:a', 'libmp3lame', '-b:a', '96k', file('speech.mp3')),
    ffmpeg('-i', src, '-c:a', 'libmp3lame', '-b:a', '64k', '-id3v2_version', '0', '-write_xing', '0', file('bare.mp3')),
    ffmpeg('-i', src, '-c:a', 'aac', '-b:a', '96k', file('speech.m4a')),
    ffmpeg('-i', src, '-c:a', 'flac', file('speech.flac')),
    ffmpeg('-i', src, '-c:a', 'libopus', '-b:a', '48k', file('speech.ogg')),
    ffmpeg('-i', src, '-c:a', 'libopus', '-b:a', '48k', file('speech.webm')),
    ffmpeg('-i', src, '-c:a', 'aac', '-f', 'adts', file('speech.aac')),
    ffmpeg('-i', src, '-c:a', 'pcm_s16be', file('speech.aiff')),
    ffmpeg(...video, '-i', src, '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', file('video.mp4')),
    ffmpeg(...video, '-i', src, '-map', '0:v', '-map', '1:a', '-c:v', 'mpeg4', '-c:a', 'libvorbis', file('video.mkv')),
    ffmpeg(...video, '-i', src, '-map', '0:v', '-map', '1:a', '-c:v', 'mjpeg', '-c:a', 'aac', '-f', 'mov', file('video.mov')),
    ffmpeg(...video, '-i', src, '-map', '0:v', '-map', '1:a', '-c:v', 'mpeg4', '-c:a', 'aac', '-f', 'mpegts', file('video.ts')),
    ffmpeg(...video, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file('mute.mp4')),
    ffmpeg('-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=stereo', '-t', '3', '-c:a', 'libmp3lame', file('silent.mp3')),
    ffmpeg('-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '3', '-c:a', 'pcm_s16le', file('silent.wav')),
  ]);
  // A live recording as MediaRecorder or a pipe writes it: no duration in the header.
  const { stdout } = await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', src, '-c:a', 'libopus', '-f', 'webm', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 16 * 1024 * 1024,
  });
  await writeFile(file('live.webm'), stdout);
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function mediaError(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a media error');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  // Readable, and never tool output with local paths.
  expect(appError.message).not.toContain(dir);
  expect(appError.message).not.toMatch(/ffprobe|@ 0x|Invalid (data|argument)|\[\w+ @/i);
  expect(appError.message.length).toBeLessThan(160);
  return appError;
}

const reasonOf = (error: AppError) => error.extensions.reason;

describe('good media', () => {
  const cases: { name: string; container: MediaContainer; hasVideo: boolean; codec: string }[] = [
    { name: 'speech.wav', container: 'wav', hasVideo: false, codec: 'pcm_s16le' },
    { name: 'speech.mp3', container: 'mp3', hasVideo: false, codec: 'mp3' },
    { name: 'bare.mp3', container: 'mp3', hasVideo: false, codec: 'mp3' },
    { name: 'speech.m4a', container: 'mp4', hasVideo: false, codec: 'aac' },
    { name: 'speech.flac', container: 'flac', hasVideo: false, codec: 'flac' },
    { name: 'speech.ogg', container: 'ogg', hasVideo: false, codec: 'opus' },
    { name: 'speech.webm', container: 'webm', hasVideo: false, codec: 'opus' },
    { name: 'live.webm', container: 'webm', hasVideo: false, codec: 'opus' },
    { name: 'speech.aac', container: 'aac', hasVideo: false, codec: 'aac' },
    { name: 'speech.aiff', container: 'aiff', hasVideo: false, codec: 'pcm_s16be' },
    { name: 'video.mp4', container: 'mp4', hasVideo: true, codec: 'aac' },
    { name: 'video.mkv', container: 'webm', hasVideo: true, codec: 'vorbis' },
    { name: 'video.mov', container: 'mp4', hasVideo: true, codec: 'aac' },
    { name: 'video.ts', container: 'mpegts', hasVideo: true, codec: 'aac' },
  ];

  it.each(cases)('$name sniffs, probes and normalises', async ({ name, container, hasVideo, codec }) => {
    const input = file(name);
    expect(await sniffMedia(input)).toBe(container);

    const probe = await probeMedia(input, { maxSeconds: 3600 });
    expect(probe).toMatchObject({ container, hasVideo, audio: { codec, channels: 2 } });
    expect(probe.audio.sampleRate).toBeGreaterThanOrEqual(44_100);
    // Containers report the longest stream (the video track is 0.5 s longer); ADTS is estimated.
    expect(probe.durationSeconds).toBeGreaterThan(speechSeconds - 0.2);
    expect(probe.durationSeconds).toBeLessThan(speechSeconds + 0.7);

    const out = file(`${name}.norm.wav`);
    const progress: number[] = [];
    const result = await normaliseAudio(input, out, { timeoutMs: 60_000, onProgress: (s) => progress.push(s) });
    expect(Math.abs(result.durationSeconds - speechSeconds)).toBeLessThan(0.1);
    expect(result.bytes).toBe((await stat(out)).size);
    const info = await readWavInfo(out);
    expect(info).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, dataOffset: 44 });
    expect(info.durationSeconds).toBe(result.durationSeconds);
    expect(progress.length).toBeGreaterThan(0);
    await assertAudible(out);
  });

  it('prepareAudio runs the whole step and passes progress through', async () => {
    const { probe, wav } = await prepareAudio(file('video.mp4'), file('prepared.wav'), { maxSeconds: 60, timeoutMs: 60_000 });
    expect(probe!.hasVideo).toBe(true);
    expect(Math.abs(wav.durationSeconds - speechSeconds)).toBeLessThan(0.1);
    const levels = await measureLevels(file('prepared.wav'));
    expect(levels.peakDb).toBeGreaterThan(-20);
    expect(levels.rmsDb).toBeLessThan(levels.peakDb);
  });
});

describe('prepareAudio', () => {
  it('skips ffprobe for media probed at submission', async () => {
    const tools = { ffmpegPath: 'ffmpeg', ffprobePath: '/nonexistent/ffprobe' };
    const { probe, wav } = await prepareAudio(file('speech.mp3'), file('uploaded.wav'), { maxSeconds: 60, timeoutMs: 60_000, tools, probed: true });
    expect(probe).toBeNull();
    expect(Math.abs(wav.durationSeconds - speechSeconds)).toBeLessThan(0.1);
  });

  it('stops the decode and leaves no WAV when the probe or the check after it refuses the media', async () => {
    const tooLong = await mediaError(prepareAudio(file('speech.flac'), file('refused.wav'), { maxSeconds: 2, timeoutMs: 60_000 }));
    expect(tooLong.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await stat(file('refused.wav')).catch(() => null)).toBeNull();

    const seen: number[] = [];
    const quota = prepareAudio(file('video.mkv'), file('over-quota.wav'), {
      maxSeconds: 60,
      timeoutMs: 60_000,
      afterProbe: async (probe) => {
        seen.push(probe.durationSeconds);
        throw new AppError('QUOTA_EXCEEDED', 'Monthly audio quota exceeded.');
      },
    });
    await expect(quota).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(seen).toHaveLength(1);
    expect(await stat(file('over-quota.wav')).catch(() => null)).toBeNull();
  });

  it('a decode that fails while the probe still runs stops the probe and is never an unhandled rejection', async () => {
    // This ffprobe only starts once the test lets it, so the decode (over the 2 s cap) always fails first.
    const release = file('probe-release');
    const stalledProbe = file('stalled-ffprobe.sh');
    await writeFile(stalledProbe, `#!/bin/sh\nwhile [ ! -e '${release}' ]; do sleep 0.05; done\nexec ffprobe "$@"\n`, { mode: 0o755 });
    const unhandled: unknown[] = [];
    let onUnhandled: (reason: unknown) => void = () => {};
    const firstUnhandled = new Promise<'unhandled'>((resolve) => {
      onUnhandled = (reason) => {
        unhandled.push(reason);
        resolve('unhandled');
      };
    });
    process.on('unhandledRejection', onUnhandled);
    const preparing = prepareAudio(file('speech.mp3'), file('decode-first.wav'), {
      maxSeconds: 2,
      timeoutMs: 60_000,
      tools: { ffmpegPath: 'ffmpeg', ffprobePath: stalledProbe },
    });
    const settled = preparing.then(
      () => 'resolved' as const,
      (error: unknown) => error,
    );
    try {
      const outcome = await Promise.race([settled, firstUnhandled]);
      expect(unhandled).toEqual([]);
      expect(outcome).toBeInstanceOf(AppError);
      expect([(outcome as AppError).code, reasonOf(outcome as AppError)]).toEqual(['PAYLOAD_TOO_LARGE', 'TOO_LONG']);
      expect(await stat(file('decode-first.wav')).catch(() => null)).toBeNull();
    } finally {
      await writeFile(release, '');
      await settled;
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('bad media', () => {
  it('refuses an empty file', async () => {
    await writeFile(file('empty.mp3'), '');
    const error = await mediaError(sniffMedia(file('empty.mp3')));
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(reasonOf(error)).toBe('EMPTY');
    expect(error.message).toBe('The file is empty.');
  });

  it('refuses text renamed .mp3 (UTF-8 and UTF-16)', async () => {
    await writeFile(file('notes.mp3'), 'Meeting notes\n- buy milk\n- call Ana about the café\n');
    const error = await mediaError(probeMedia(file('notes.mp3'), { maxSeconds: 60 }));
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(reasonOf(error)).toBe('TEXT');
    expect(error.message).toMatch(/text, not audio/);

    await writeFile(file('utf16.mp3'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hello there, not audio', 'utf16le')]));
    expect(reasonOf(await mediaError(sniffMedia(file('utf16.mp3'))))).toBe('TEXT');

    // Text that happens to begin like a QuickTime atom or an ID3 tag is still text.
    for (const [name, text] of [
      ['atom.mov', 'The free software movement began in the eighties.\n'],
      ['tag.mp3', 'ID3 tags hold the title and artist of a song.\n'],
    ]) {
      await writeFile(file(name), text);
      expect(reasonOf(await mediaError(sniffMedia(file(name))))).toBe('TEXT');
    }
  });

  it('refuses a truncated mp3 once ffprobe cannot read it, without leaking tool output', async () => {
    await copyFile(file('speech.mp3'), file('truncated.mp3'));
    await truncate(file('truncated.mp3'), 300);
    expect(await sniffMedia(file('truncated.mp3'))).toBe('mp3');
    const error = await mediaError(probeMedia(file('truncated.mp3'), { maxSeconds: 60 }));
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(reasonOf(error)).toBe('UNREADABLE');
    expect(error.message).toMatch(/damaged or truncated/);
    expect(JSON.stringify(error.toJSON())).not.toContain(dir);
    // The tool's own words are kept for the logs only, with the path scrubbed.
    const detail = (error as AppError & { detail?: string }).detail ?? '';
    expect(detail).not.toContain(dir);
    expect(Object.keys(error)).not.toContain('detail');
  });

  it('refuses an HLS playlist before ffmpeg sees it', async () => {
    await writeFile(
      file('stream.m3u8'),
      `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:5.0,\n${file('speech.mp3')}\n#EXT-X-ENDLIST\n`,
    );
    await copyFile(file('stream.m3u8'), file('stream.mp3'));
    for (const name of ['stream.m3u8', 'stream.mp3']) {
      const error = await mediaError(probeMedia(file(name), { maxSeconds: 60 }));
      expect(error.code).toBe('UNSUPPORTED_MEDIA');
      expect(reasonOf(error)).toBe('PLAYLIST');
      expect(error.message).toMatch(/HLS\/M3U playlist/);
    }
  });

  it('refuses an ffconcat list and never opens the file it names', async () => {
    // The named file is a FIFO: anyone opening it for reading would unblock our open-for-writing.
    const fifo = file('secret.fifo');
    await run('mkfifo', [fifo]);
    let openedByReader = false;
    let finished = false;
    const writer = open(fifo, 'w').then((handle) => {
      if (!finished) openedByReader = true;
      return handle.close();
    });
    await writeFile(file('list.mp3'), `ffconcat version 1.0\nfile '${fifo}'\nfile '${file('speech.mp3')}'\n`);
    await writeFile(file('bare-list.m4a'), `# no header\nfile '${fifo}'\n`);
    for (const name of ['list.mp3', 'bare-list.m4a']) {
      for (const attempt of [
        () => sniffMedia(file(name)),
        () => probeMedia(file(name), { maxSeconds: 60 }),
        () => normaliseAudio(file(name), file('list.wav'), { timeoutMs: 10_000 }),
      ]) {
        const error = await mediaError(attempt());
        expect(error.code).toBe('UNSUPPORTED_MEDIA');
        expect(reasonOf(error)).toBe('CONCAT_LIST');
        expect(error.message).toMatch(/concat list/);
      }
    }
    // Nor is a FIFO (or device) uploaded in place of a file opened.
    const notFile = await mediaError(sniffMedia(fifo));
    expect([notFile.code, reasonOf(notFile)]).toEqual(['UNSUPPORTED_MEDIA', 'UNREADABLE']);
    // A reader would have met our writer and then waited for data that never comes, so every attempt
    // above would still be pending. Our writer's open runs on libuv's thread pool, which reports
    // completions in order: once a stat started now has answered, that open's answer, had a reader
    // come, has been handled too.
    await stat(fifo);
    finished = true;
    expect(openedByReader).toBe(false);
    // Release our blocked writer.
    const reader = await open(fifo, 'r');
    await writer;
    await reader.close();
    expect(await stat(file('list.wav')).catch(() => null)).toBeNull();
  });

  it('refuses HTML, images and unknown binary with their own reasons', async () => {
    await writeFile(file('page.mp4'), '<!DOCTYPE html>\n<html><head><title>Download</title></head><body>Nope</body></html>');
    const html = await mediaError(sniffMedia(file('page.mp4')));
    expect([html.code, reasonOf(html), html.message]).toEqual(['UNSUPPORTED_MEDIA', 'HTML', 'The file is an HTML page, not audio or video.']);

    await writeFile(file('pic.mp3'), Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]));
    const png = await mediaError(sniffMedia(file('pic.mp3')));
    expect([reasonOf(png), png.message]).toEqual(['NOT_MEDIA', 'The file is a PNG image, not audio or video.']);

    const noise = Buffer.alloc(8192);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251; // deterministic, no frame sync
    await writeFile(file('noise.bin'), noise);
    const unknown = await mediaError(sniffMedia(file('noise.bin')));
    expect([unknown.code, reasonOf(unknown)]).toEqual(['UNSUPPORTED_MEDIA', 'UNKNOWN_FORMAT']);
  });

  it('refuses a video without an audio track', async () => {
    expect(await sniffMedia(file('mute.mp4'))).toBe('mp4');
    const error = await mediaError(probeMedia(file('mute.mp4'), { maxSeconds: 60 }));
    expect([error.code, reasonOf(error), error.message]).toEqual(['UNSUPPORTED_MEDIA', 'NO_AUDIO', 'The file has no audio stream.']);
  });

  it('refuses silent audio after normalising (wav and mp3)', async () => {
    for (const name of ['silent.wav', 'silent.mp3']) {
      await probeMedia(file(name), { maxSeconds: 60 });
      const out = file(`${name}.norm.wav`);
      const { durationSeconds } = await normaliseAudio(file(name), out, { timeoutMs: 60_000 });
      expect(durationSeconds).toBeGreaterThan(2.9);
      const error = await mediaError(assertAudible(out));
      expect([error.code, reasonOf(error), error.message]).toEqual(['UNSUPPORTED_MEDIA', 'SILENT', 'The audio is silent.']);
    }
    const error = await mediaError(prepareAudio(file('silent.mp3'), file('silent-prepared.wav'), { maxSeconds: 60, timeoutMs: 60_000 }));
    expect(reasonOf(error)).toBe('SILENT');
  });

  it('refuses media over the duration cap, naming the cap', async () => {
    const error = await mediaError(probeMedia(file('speech.flac'), { maxSeconds: 2 }));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(reasonOf(error)).toBe('TOO_LONG');
    expect(error.message).toBe(`The media is ${formatDuration(speechSeconds)} long; the limit is 2 s.`);
    expect(error.extensions.maxSeconds).toBe(2);

    // No duration in the header: the packets are read, stopping just past the cap.
    const live = await mediaError(probeMedia(file('live.webm'), { maxSeconds: 2 }));
    expect([live.code, live.message]).toEqual(['PAYLOAD_TOO_LARGE', 'The media is longer than the limit of 2 s.']);

    // The decoder enforces the cap as well, whatever the header said.
    const decoded = await mediaError(normaliseAudio(file('speech.mp3'), file('capped.wav'), { timeoutMs: 60_000, maxSeconds: 2 }));
    expect(decoded.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await stat(file('capped.wav')).catch(() => null)).toBeNull();

    expect(formatDuration(4 * 3600)).toBe('4 h');
    expect(formatDuration(5400)).toBe('1 h 30 min');
    expect(formatDuration(600)).toBe('10 min');
    expect(formatDuration(3599.9)).toBe('1 h');
  });

  it('kills ffmpeg on timeout and on abort, leaving no output behind', async () => {
    // This ffmpeg never finishes on its own (the input loops forever, read at its own pace), so only
    // the timeout or the abort can end it, however fast or busy the machine is.
    const endless = file('endless-ffmpeg.sh');
    await writeFile(endless, '#!/bin/sh\nexec ffmpeg -stream_loop -1 -re "$@"\n', { mode: 0o755 });
    const tools = { ffmpegPath: endless, ffprobePath: 'ffprobe' };
    const timedOut = await mediaError(normaliseAudio(file('video.mkv'), file('slow.wav'), { timeoutMs: 500, tools }));
    expect([timedOut.code, reasonOf(timedOut)]).toEqual(['UNSUPPORTED_MEDIA', 'TIMEOUT']);
    expect(await stat(file('slow.wav')).catch(() => null)).toBeNull();

    const controller = new AbortController();
    const pending = normaliseAudio(file('video.mkv'), file('aborted.wav'), { timeoutMs: 60_000, signal: controller.signal, tools });
    pending.catch(() => {}); // asserted below
    await waitFor('ffmpeg to start writing', () => stat(file('aborted.wav')).catch(() => null), 60_000, 20);
    controller.abort(new Error('job cancelled'));
    await expect(pending).rejects.toThrow('job cancelled');
    expect(await stat(file('aborted.wav')).catch(() => null)).toBeNull();

    await expect(
      normaliseAudio(file('speech.wav'), file('never.wav'), { timeoutMs: 60_000, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('plain 16-bit PCM WAV', () => {
  // Paths that do not exist: any use of ffmpeg or ffprobe fails.
  const noTools = { ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: '/nonexistent/ffprobe' };

  it('is probed from its header and, at 16 kHz mono, copied without ffmpeg (other chunks dropped)', async () => {
    await run('sox', [file('flite.wav'), '-r', '16000', '-c', '1', '-b', '16', file('engine.wav')]);
    const source = await readFile(file('engine.wav'));
    const original = await readWavInfo(file('engine.wav'));
    // A LIST chunk before the data, as many recorders write.
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.alloc(4), Buffer.from('INFOISFT'), Buffer.alloc(4), Buffer.from('rec\0')]);
    list.writeUInt32LE(list.length - 8, 4);
    list.writeUInt32LE(4, 16);
    const samples = source.subarray(original.dataOffset, original.dataOffset + original.dataBytes);
    const withList = Buffer.concat([source.subarray(0, 36), list, source.subarray(36)]);
    withList.writeUInt32LE(withList.length - 8, 4);
    await writeFile(file('listed.wav'), withList);

    const probe = await probeMedia(file('listed.wav'), { maxSeconds: 3600, tools: noTools });
    expect(probe).toEqual({ container: 'wav', durationSeconds: original.durationSeconds, hasVideo: false, audio: { codec: 'pcm_s16le', sampleRate: 16_000, channels: 1 } });
    const result = await normaliseAudio(file('listed.wav'), file('listed.norm.wav'), { timeoutMs: 60_000, tools: noTools, maxSeconds: 3600 });
    expect(result.durationSeconds).toBe(original.durationSeconds);
    const written = await readFile(file('listed.norm.wav'));
    expect(written.length).toBe(44 + samples.length);
    expect(written.subarray(44).equals(samples)).toBe(true);
    expect(await readWavInfo(file('listed.norm.wav'))).toMatchObject({ sampleRate: 16_000, channels: 1, dataOffset: 44 });

    // The cap holds on this path too, and nothing is left behind.
    const capped = await mediaError(normaliseAudio(file('listed.wav'), file('capped-plain.wav'), { timeoutMs: 60_000, tools: noTools, maxSeconds: 1 }));
    expect(capped.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await stat(file('capped-plain.wav')).catch(() => null)).toBeNull();
  });

  it('other rates and channel counts are probed from the header but still resampled by ffmpeg', async () => {
    const probe = await probeMedia(file('speech.wav'), { maxSeconds: 3600, tools: noTools });
    expect(probe.audio).toEqual({ codec: 'pcm_s16le', sampleRate: 44_100, channels: 2 });
    await expect(normaliseAudio(file('speech.wav'), file('stereo.wav'), { timeoutMs: 60_000, tools: noTools })).rejects.toThrow();
  });

  it('anything but 16-bit integer PCM goes to ffprobe', async () => {
    await run('sox', [file('flite.wav'), '-b', '32', '-e', 'floating-point', file('float.wav')]);
    await expect(probeMedia(file('float.wav'), { maxSeconds: 3600, tools: noTools })).rejects.toThrow();
    const probe = await probeMedia(file('float.wav'), { maxSeconds: 3600 });
    expect(probe.audio.codec).toBe('pcm_f32le');
  });
});

describe('chunks', () => {
  let wav: string;
  let total: number;
  let samples: Int16Array;

  beforeAll(async () => {
    // ~50 s: sentences with short pauses between them, as a speaker leaves them.
    const parts: string[] = [];
    for (const [i, sentence] of SENTENCES.entries()) {
      const part = file(`sentence-${i}.wav`);
      await run('flite', ['-voice', 'slt', '-t', sentence, '-o', part]);
      parts.push(part);
    }
    const padded: string[] = [];
    for (const [i, part] of parts.entries()) {
      const out = file(`padded-${i}.wav`);
      await run('sox', [part, out, 'pad', '0', (0.25 + (i % 3) * 0.15).toFixed(2)]);
      padded.push(out);
    }
    await run('sox', [...padded, file('long.wav')]);
    wav = file('long.norm.wav');
    total = (await normaliseAudio(file('long.wav'), wav, { timeoutMs: 60_000 })).durationSeconds;
    const raw = await readFile(wav);
    samples = new Int16Array(raw.buffer.slice(raw.byteOffset + 44, raw.byteOffset + raw.length));
  }, 60_000);

  const windowDb = (centreSeconds: number) => {
    const centre = Math.round(centreSeconds * 16_000);
    let sum = 0;
    for (let i = centre - 800; i < centre + 800; i++) sum += samples[i] * samples[i];
    const rms = Math.sqrt(sum / 1600);
    return rms > 0 ? 20 * Math.log10(rms / 32768) : -Infinity;
  };

  it('covers the audio exactly, each chunk at most the target, cutting in quiet places', async () => {
    expect(total).toBeGreaterThan(40);
    expect(total).toBeLessThan(70);
    const chunks = await planChunks(wav, { targetSeconds: 20, searchSeconds: 4 });
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(total / 20));
    expect(chunks[0].start).toBe(0);
    expect(chunks.at(-1)!.end).toBe(total);
    const speechDb = 20 * Math.log10(Math.sqrt(samples.reduce((sum, s) => sum + s * s, 0) / samples.length) / 32768);
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.index).toBe(i);
      expect(chunk.end).toBeGreaterThan(chunk.start);
      expect(chunk.end - chunk.start).toBeLessThanOrEqual(20);
      if (i > 0) expect(chunk.start).toBe(chunks[i - 1].end);
      if (i < chunks.length - 1) {
        // The cut lies in the search window and in a pause, far below the speech level.
        expect(chunk.end - chunk.start).toBeGreaterThanOrEqual(16);
        expect(windowDb(chunk.end)).toBeLessThan(Math.min(-50, speechDb - 30));
      }
    }
    // Without a search window the cut is exactly at the target, wherever that lands.
    const hard = await planChunks(wav, { targetSeconds: 20, searchSeconds: 0 });
    expect(hard.slice(0, -1).map((chunk) => chunk.end)).toEqual(hard.slice(0, -1).map((_, i) => (i + 1) * 20));
  });

  it('extractChunk writes WAVs whose durations and samples add up to the source', async () => {
    const chunks = await planChunks(wav, { targetSeconds: 20, searchSeconds: 4 });
    let seconds = 0;
    const pcm: Buffer[] = [];
    for (const chunk of chunks) {
      const out = file(`chunk-${chunk.index}.wav`);
      const written = await extractChunk(wav, chunk, out);
      const info = await readWavInfo(out);
      expect(info).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16 });
      expect(info.durationSeconds).toBeCloseTo(chunk.end - chunk.start, 9);
      expect(written.bytes).toBe((await stat(out)).size);
      expect(written.durationSeconds).toBe(info.durationSeconds);
      seconds += info.durationSeconds;
      pcm.push((await readFile(out)).subarray(info.dataOffset));
    }
    expect(seconds).toBeCloseTo(total, 9);
    const joined = Buffer.concat(pcm);
    expect(joined.equals(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength))).toBe(true);
  });

  it('streams PCM in blocks without reading the whole file at once', async () => {
    const info = await readWavInfo(wav);
    let count = 0;
    let blocks = 0;
    for await (const block of readPcmBlocks(wav, info, { blockSamples: 4096 })) {
      expect(block.length).toBeLessThanOrEqual(4096);
      count += block.length;
      blocks++;
    }
    expect(count).toBe(info.samples);
    expect(blocks).toBe(Math.ceil(info.samples / 4096));
  });
});
