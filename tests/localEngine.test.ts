// The LOCAL engine: PocketSphinx through koffi on worker threads, fed flite's synthetic speech.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createLocalProvider,
  LocalProvider,
  parseWav,
  StreamingDecoder,
  type RecognizedSegment,
} from '../server/providers/local/index.ts';
import { decoderThreadCount } from '../server/providers/local/streamingDecoder.ts';
import { cleanHypothesis, cleanWord } from '../server/providers/local/words.ts';
import { ProviderError, type Segment, type TranscribeRequest } from '../server/providers/types.ts';
import { wavHeader } from '../server/media/wav.ts';
import {
  makeSpeechFixture,
  makeTempDir,
  speechToolsPresent,
  wordErrorRate,
  type SpeechFixture,
} from './helpers/speech.ts';
import { waitFor } from './helpers/wait.ts';

const LIBRARY = 'libpocketsphinx.so.3';
const MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
// A 27 s decode takes about 6 s on an idle core; allow for a machine busy with other tests.
const DECODE_TIMEOUT_MS = 120_000;
const SENTENCES = [
  'The weather today is sunny with a light breeze from the west.',
  'Please send the quarterly report to the finance team by Friday.',
  'She opened the window and listened to the birds in the garden.',
  "We will meet at the station at nine o'clock tomorrow morning.",
  'The children played football in the park after school.',
];

const run = promisify(execFile);
const tools = await speechToolsPresent();
const provider = createLocalProvider({ POCKETSPHINX_LIBRARY: LIBRARY, POCKETSPHINX_MODEL_DIR: MODEL_DIR });
const engine = tools && (await provider.availability()).ok;

function request(wavPath: string, extra: Partial<TranscribeRequest> = {}): TranscribeRequest {
  return { wavPath, durationSeconds: 0, language: null, model: null, diarize: false, apiKey: null, ...extra };
}

describe('wordErrorRate', () => {
  it('counts word substitutions, deletions and insertions against the reference', () => {
    expect(wordErrorRate('The cat sat.', 'the cat sat')).toBe(0);
    expect(wordErrorRate('the cat sat on the mat', 'the cat sat on a mat')).toBeCloseTo(1 / 6);
    expect(wordErrorRate('the cat sat', 'the cat')).toBeCloseTo(1 / 3);
    expect(wordErrorRate('the cat', 'the big cat')).toBeCloseTo(1 / 2);
    expect(wordErrorRate("It's nine o'clock!", "it's nine o'clock")).toBe(0);
    expect(wordErrorRate('', '')).toBe(0);
  });
});

describe('decoder output clean-up', () => {
  it('drops fillers and strips alternate pronunciations', () => {
    expect(cleanWord('what(2)')).toBe('what');
    for (const filler of ['<s>', '</s>', '<sil>', '[NOISE]', '[SPEECH]', '++BREATH++', '+SMACK+']) {
      expect(cleanWord(filler)).toBeNull();
    }
    expect(cleanHypothesis('<s> hello(3) [NOISE] world </s>')).toBe('hello world');
    expect(cleanHypothesis(null)).toBe('');
  });
});

describe('parseWav', () => {
  it('walks RIFF chunks (with padding) to the data chunk', () => {
    const fmt = Buffer.alloc(24);
    fmt.write('fmt ', 0, 'ascii');
    fmt.writeUInt32LE(16, 4);
    fmt.writeUInt16LE(1, 8);
    fmt.writeUInt16LE(1, 10);
    fmt.writeUInt32LE(16_000, 12);
    fmt.writeUInt32LE(32_000, 16);
    fmt.writeUInt16LE(2, 20);
    fmt.writeUInt16LE(16, 22);
    const odd = Buffer.from('LIST\x03\x00\x00\x00abc\x00', 'latin1'); // 3 bytes + 1 pad byte
    const data = Buffer.concat([Buffer.from('data\x04\x00\x00\x00', 'latin1'), Buffer.from([1, 0, 2, 0])]);
    const body = Buffer.concat([Buffer.from('WAVE'), fmt, odd, data]);
    const header = Buffer.alloc(8);
    header.write('RIFF', 0, 'ascii');
    header.writeUInt32LE(body.length, 4);
    const wav = parseWav(Buffer.concat([header, body]));
    expect(wav).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16 });
    expect([...wav.data]).toEqual([1, 0, 2, 0]);
    expect(() => parseWav(Buffer.from('not a wav file at all'))).toThrow(/RIFF/);
  });
});

describe('LOCAL engine when the library is missing', () => {
  const missing = createLocalProvider({
    POCKETSPHINX_LIBRARY: 'libdoesnotexist.so',
    POCKETSPHINX_MODEL_DIR: MODEL_DIR,
  });

  it('reports itself unavailable', async () => {
    const availability = await missing.availability();
    expect(availability.ok).toBe(false);
    expect(availability.ok === false && availability.reason).toMatch(/libdoesnotexist\.so/);
  });

  it('rejects transcribe with ProviderError unavailable, without crashing', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const wavPath = path.join(dir, 'silence.wav');
      await writeFile(wavPath, pcmWav(new Int16Array(16_000)));
      const error = await missing.transcribe(request(wavPath)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).kind).toBe('unavailable');
      await expect(StreamingDecoder.open({ library: 'libdoesnotexist.so', modelDir: MODEL_DIR })).rejects.toMatchObject({
        kind: 'unavailable',
      });
    } finally {
      await cleanup();
    }
  });

  it('reports a missing model directory', async () => {
    const noModel = new LocalProvider({ library: LIBRARY, modelDir: '/nonexistent/model' });
    expect(await noModel.availability()).toMatchObject({ ok: false, reason: expect.stringMatching(/model/) });
  });
});

describe.skipIf(!engine)('LOCAL engine (PocketSphinx)', () => {
  // The provider keeps a finished decoder for reuse; these tests count decoder threads from none.
  beforeEach(() => provider.decoders.drain());
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let fixture: SpeechFixture;

  beforeAll(async () => {
    temp = await makeTempDir();
    // flite's "rms" voice recognises best here (WER: rms 4%, awb 6%, slt 9%, kal16 7-13%).
    fixture = await makeSpeechFixture(SENTENCES, path.join(temp.dir, 'speech.wav'), { voice: 'rms' });
  });
  afterAll(() => temp?.cleanup());

  it('is available', async () => {
    expect(await provider.availability()).toEqual({ ok: true });
    expect(provider.name).toBe('LOCAL');
    expect(provider.maxChunkSeconds).toBe(300);
  });

  it('transcribes several sentences with WER <= 0.25 and plausible word timings', async () => {
    const started = performance.now();
    const result = await provider.transcribe(request(fixture.wavPath, { durationSeconds: fixture.durationSeconds }));
    const seconds = (performance.now() - started) / 1000;
    const hypothesis = result.segments.map((segment) => segment.text).join(' ');
    const wer = wordErrorRate(fixture.text, hypothesis);
    console.info(
      `LOCAL: ${fixture.durationSeconds.toFixed(1)} s of speech in ${seconds.toFixed(2)} s ` +
        `(real-time factor ${(seconds / fixture.durationSeconds).toFixed(3)}), WER ${(wer * 100).toFixed(1)}%`,
    );

    expect(result.language).toBe('en');
    expect(fixture.durationSeconds).toBeGreaterThan(15);
    expect(wer).toBeLessThanOrEqual(0.25);
    expect(result.segments).toHaveLength(SENTENCES.length); // one utterance per sentence, split at the pauses
    checkTimings(result.segments, fixture);
  }, DECODE_TIMEOUT_MS);

  it('streams 100 ms pieces: partial hypotheses arrive before each final segment', async () => {
    const decoder = await StreamingDecoder.open({ library: LIBRARY, modelDir: MODEL_DIR });
    const events: Array<{ type: 'partial'; text: string } | { type: 'final'; segment: RecognizedSegment }> = [];
    decoder.on('partial', ({ text }) => events.push({ type: 'partial', text }));
    decoder.on('final', (segment) => events.push({ type: 'final', segment }));
    const { data } = parseWav(await readFile(fixture.wavPath));
    const pieceBytes = 3_200; // 100 ms
    for (let offset = 0; offset < data.length; offset += pieceBytes) {
      decoder.write(data.subarray(offset, offset + pieceBytes));
      if (offset % (pieceBytes * 20) === 0) await decoder.flush(); // now and then, like a live client
    }
    await decoder.end();

    const finals = events.flatMap((event) => (event.type === 'final' ? [event.segment] : []));
    expect(finals).toHaveLength(SENTENCES.length);
    let partialsSinceFinal = 0;
    for (const event of events) {
      if (event.type === 'partial') {
        expect(event.text).toMatch(/^[a-z' ]+$/);
        partialsSinceFinal += 1;
      } else {
        expect(partialsSinceFinal).toBeGreaterThan(0);
        partialsSinceFinal = 0;
      }
    }
    expect(decoder.secondsDecoded).toBeCloseTo(fixture.durationSeconds, 2);
    expect(wordErrorRate(fixture.text, finals.map((segment) => segment.text).join(' '))).toBeLessThanOrEqual(0.25);
    checkTimings(finals, fixture);
  }, DECODE_TIMEOUT_MS);

  /**
   * Starts transcribing about 20 minutes of speech (minutes of decoding even on an idle machine,
   * real-time factor about 0.2: far beyond these tests' timeouts) and resolves once the decoder
   * has decoded some of it, with that decoder (caught through StreamingDecoder.end, which the
   * provider calls once it has written all the audio).
   */
  async function decodingLongSpeech(signal: AbortSignal) {
    const speechPcm = parseWav(await readFile(fixture.wavPath)).data;
    const long = Buffer.concat(Array.from({ length: Math.ceil(1200 / fixture.durationSeconds) }, () => speechPcm));
    const longPath = path.join(temp.dir, 'long.wav');
    await writeFile(longPath, Buffer.concat([wavHeader(long.length), long]));
    // A pooled decoder ends its stream with restart (kept for reuse), not end.
    const ending = vi.spyOn(StreamingDecoder.prototype, 'restart');
    try {
      let settled = false;
      const pending = provider.transcribe(request(longPath, { signal })).finally(() => (settled = true));
      pending.catch(() => {}); // the caller awaits it
      const decoder = await waitFor(
        'the decoder to decode',
        async () => {
          const started = ending.mock.contexts[0] as StreamingDecoder | undefined;
          return started && started.secondsDecoded > 0 && started;
        },
        60_000,
        10,
      );
      return { pending, decoder, settled: () => settled };
    } finally {
      ending.mockRestore();
    }
  }

  it('decodes on a worker thread: this thread keeps turning while the decode advances', async () => {
    // A decode on this thread would hold its event loop: no timer would fire until it ended. How
    // much of the loop a decode does take is measured by the bench (tests/bench/local.bench.ts).
    const controller = new AbortController();
    const { pending, decoder, settled } = await decodingLongSpeech(controller.signal);
    const from = decoder.secondsDecoded;
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    try {
      await waitFor('timer ticks while the decode advances', async () => ticks >= 20 && decoder.secondsDecoded > from, 60_000, 5);
      expect(settled()).toBe(false);
      expect(decoderThreadCount()).toBe(1);
    } finally {
      clearInterval(timer);
      controller.abort();
    }
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  }, DECODE_TIMEOUT_MS);

  it('stops and rejects when aborted', async () => {
    // Only a decode that stops on abort ends within this test's timeout.
    const controller = new AbortController();
    const { pending, decoder } = await decodingLongSpeech(controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(decoderThreadCount()).toBe(0);
    expect(decoder.secondsDecoded).toBeLessThan(decoder.secondsWritten);
  }, 60_000);

  it('cuts speech that runs on past maxUtteranceSeconds, keeping timings in order', async () => {
    const continuous = await makeSpeechFixture(SENTENCES.slice(0, 3), path.join(temp.dir, 'continuous.wav'), {
      voice: 'rms',
      pauseSeconds: 0.1, // too short for the detector to end an utterance
    });
    const decoder = await StreamingDecoder.open({ library: LIBRARY, modelDir: MODEL_DIR, maxUtteranceSeconds: 4 });
    const finals: RecognizedSegment[] = [];
    decoder.on('final', (segment) => finals.push(segment));
    decoder.write(parseWav(await readFile(continuous.wavPath)).data);
    await decoder.end();
    expect(finals.length).toBeGreaterThanOrEqual(3);
    let previousEnd = 0;
    for (const segment of finals) {
      expect(segment.start).toBeGreaterThanOrEqual(previousEnd);
      expect(segment.end - segment.start).toBeLessThanOrEqual(4.5);
      previousEnd = segment.end;
    }
    expect(previousEnd).toBeLessThanOrEqual(continuous.durationSeconds);
    const hypothesis = finals.map((segment) => segment.text).join(' ');
    expect(wordErrorRate(continuous.text, hypothesis)).toBeLessThanOrEqual(0.25);
  }, DECODE_TIMEOUT_MS);

  it('destroy drops queued audio, frees the decoder and stops the worker mid-decode', async () => {
    // About 20 minutes of speech queued at once: decoding it all takes minutes, so only a destroy
    // that stops the worker mid-decode ends this test within its timeout.
    const decoder = await StreamingDecoder.open({ library: LIBRARY, modelDir: MODEL_DIR });
    let eventsAfterDestroy = 0;
    let destroyed = false;
    decoder.on('final', () => (eventsAfterDestroy += destroyed ? 1 : 0));
    decoder.on('partial', () => (eventsAfterDestroy += destroyed ? 1 : 0));
    const { data } = parseWav(await readFile(fixture.wavPath));
    const long = Buffer.concat(Array.from({ length: Math.ceil(1200 / fixture.durationSeconds) }, () => data));
    decoder.write(long);
    const flushed = expect(decoder.flush()).rejects.toThrow(/destroyed/);
    await waitFor('the worker to start decoding', async () => decoder.secondsDecoded > 0, 60_000);
    destroyed = true;
    await decoder.destroy();
    await flushed;
    expect(() => decoder.write(data)).toThrow();
    // The worker thread is gone, so no event can follow.
    expect(decoderThreadCount()).toBe(0);
    expect(eventsAfterDestroy).toBe(0);
    expect(decoder.secondsDecoded).toBeLessThan(decoder.secondsWritten);
  }, 60_000);

  it('can be aborted while the model loads', async () => {
    const controller = new AbortController();
    const opening = StreamingDecoder.open({ library: LIBRARY, modelDir: MODEL_DIR, signal: controller.signal });
    // Its thread exists and loads the model; `open` cannot have answered yet (that takes a message from the thread).
    expect(decoderThreadCount()).toBe(1);
    controller.abort();
    await expect(opening).rejects.toMatchObject({ name: 'AbortError' });
    expect(decoderThreadCount()).toBe(0);
  });

  it('refuses audio that is not 16 kHz mono 16-bit PCM WAV', async () => {
    const notWav = path.join(temp.dir, 'not.wav');
    await writeFile(notWav, 'hello');
    await expect(provider.transcribe(request(notWav))).rejects.toMatchObject({ kind: 'bad_media' });
    const stereo = path.join(temp.dir, 'stereo.wav');
    await run('ffmpeg', ['-loglevel', 'error', '-y', '-i', fixture.wavPath, '-ac', '2', '-ar', '44100', stereo]);
    await expect(provider.transcribe(request(stereo))).rejects.toMatchObject({ kind: 'bad_media' });
  });

  it('refuses languages other than English', async () => {
    await expect(provider.transcribe(request(fixture.wavPath, { language: 'fr' }))).rejects.toMatchObject({
      kind: 'unavailable',
    });
  });
});

/** Segments and words in order, inside the audio, each segment inside the sentence it transcribes. */
function checkTimings(segments: Segment[], fixture: SpeechFixture): void {
  let previousEnd = 0;
  for (const [index, segment] of segments.entries()) {
    expect(segment.start).toBeGreaterThanOrEqual(previousEnd);
    expect(segment.end).toBeGreaterThan(segment.start);
    expect(segment.end).toBeLessThanOrEqual(fixture.durationSeconds);
    const sentence = fixture.sentences[index];
    expect(segment.start).toBeGreaterThanOrEqual(sentence.start - 0.25);
    expect(segment.end).toBeLessThanOrEqual(sentence.end + 0.25);
    expect(segment.text).toBe(segment.words.map((word) => word.word).join(' '));
    let wordEnd = segment.start;
    for (const word of segment.words) {
      expect(word.word).toMatch(/^[a-z']+$/);
      expect(word.start).toBeGreaterThanOrEqual(wordEnd);
      expect(word.end).toBeGreaterThan(word.start);
      expect(word.end - word.start).toBeLessThan(1.5);
      expect(word.confidence).toBeGreaterThanOrEqual(0);
      expect(word.confidence).toBeLessThanOrEqual(1);
      wordEnd = word.end;
    }
    expect(wordEnd).toBe(segment.end);
    previousEnd = segment.end;
  }
}

function pcmWav(samples: Int16Array): Buffer {
  return Buffer.concat([wavHeader(samples.byteLength), Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]);
}
