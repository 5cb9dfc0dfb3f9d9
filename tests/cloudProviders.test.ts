// Cloud speech providers through their real SDKs (openai, @deepgram/sdk) against protocol-faithful
// fakes on loopback: result mapping, options on the wire, error mapping, translation, Deepgram live.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DeepgramClient } from '@deepgram/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeepgramProvider } from '../server/providers/deepgram.ts';
import { createOpenAIProvider, whisperLanguageToCode } from '../server/providers/openai.ts';
import { splitForTranslation, translateText } from '../server/providers/translate.ts';
import { ProviderError, type TranscribeRequest } from '../server/providers/types.ts';
import { startFakeDeepgram, wordsFromText as dgWords, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import { wavHeader } from '../server/media/wav.ts';
import { ManualTimers } from './helpers/manualTimers.ts';
import { waitFor } from './helpers/wait.ts';

let dir: string;
let wav10: string;
let wav40: string;
let notAudio: string;

/** 16 kHz mono s16le WAV with a quiet tone, like the pipeline's normalised chunks. */
function wav(seconds: number): Buffer {
  const samples = Math.round(seconds * 16_000);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) data.writeInt16LE(Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / 16_000)), i * 2);
  return Buffer.concat([wavHeader(data.length), data]);
}

function request(overrides: Partial<TranscribeRequest> & { apiKey: string | null }): TranscribeRequest {
  return { wavPath: wav10, durationSeconds: 10, language: null, model: null, diarize: false, ...overrides };
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a ProviderError');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** A loopback port nobody listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-cloud-'));
  wav10 = path.join(dir, 'chunk-0000.wav');
  wav40 = path.join(dir, 'chunk-0001.wav');
  notAudio = path.join(dir, 'chunk-0002.wav');
  await writeFile(wav10, wav(10));
  await writeFile(wav40, wav(40));
  await writeFile(notAudio, Buffer.from('<html><body>definitely not audio</body></html>'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OpenAI provider', () => {
  let fake: FakeOpenAIServer;
  const config = () => ({ baseURL: fake.baseURL, defaultModel: 'whisper-1', timeoutMs: 10_000 });

  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.setTranscript(() => wordsFromText('Hello, world. This is a test of the system.', { start: 0.5 }));
  });

  it('maps segments, words and the detected language with their times', async () => {
    const provider = createOpenAIProvider(config());
    const result = await provider.transcribe(request({ apiKey: fake.apiKey }));

    expect(result.language).toBe('en'); // Whisper says "english"
    expect(result.segments.map((s) => s.text)).toEqual(['Hello, world.', 'This is a test of the system.']);
    const [first, second] = result.segments;
    expect(first.start).toBeCloseTo(0.5);
    expect(first.end).toBeCloseTo(1.3);
    expect(first.speaker).toBeNull();
    expect(first.words.map((w) => w.word)).toEqual(['Hello,', 'world.']); // punctuation from the segment text
    expect(first.words[1]).toMatchObject({ start: 0.95, end: 1.3 });
    expect(second.start).toBeCloseTo(2.1);
    expect(second.words.map((w) => w.word)).toEqual(['This', 'is', 'a', 'test', 'of', 'the', 'system.']);
    for (const segment of result.segments) {
      for (const word of segment.words) {
        expect(word.start).toBeGreaterThanOrEqual(segment.start);
        expect(word.end).toBeLessThanOrEqual(segment.end);
      }
    }

    expect(fake.transcriptions).toHaveLength(1);
    const sent = fake.transcriptions[0];
    expect(sent).toMatchObject({
      model: 'whisper-1',
      language: null,
      responseFormat: 'verbose_json',
      timestampGranularities: ['word', 'segment'],
      authorization: `Bearer ${fake.apiKey}`,
    });
    expect(sent.file).toMatchObject({ name: 'chunk-0000.wav', size: wav(10).length, type: 'audio/wav' });
    expect(sent.file?.durationSeconds).toBeCloseTo(10);
  });

  it('sends the model, language (as ISO-639-1) and prompt it is given', async () => {
    fake.setTranscript(() => ({ words: wordsFromText('Guten Morgen.'), language: 'german' }));
    const provider = createOpenAIProvider(config());
    const result = await provider.transcribe({ ...request({ apiKey: fake.apiKey, model: 'whisper-large-v3', language: 'de-DE' }), prompt: 'Vorher.' });
    expect(fake.transcriptions[0]).toMatchObject({ model: 'whisper-large-v3', language: 'de', prompt: 'Vorher.' });
    expect(result.language).toBe('de');
    expect(result.segments[0]).toMatchObject({ text: 'Guten Morgen.' });
  });

  it('drops segments Whisper marks as silence, and clamps times to the chunk', async () => {
    fake.setTranscript(() => ({
      words: [
        { word: 'Real', start: 0.5, end: 0.9 },
        { word: 'speech.', start: 1.0, end: 1.4 },
        { word: 'Thanks', start: 9.2, end: 9.6 },
        { word: 'for', start: 9.7, end: 9.9 },
        { word: 'watching!', start: 9.9, end: 10.4 },
      ],
      segments: [
        { start: 0.5, end: 1.4, text: ' Real speech.' },
        { start: 9.2, end: 10.4, text: ' Thanks for watching!', no_speech_prob: 0.93, avg_logprob: -1.4 },
      ],
    }));
    const result = await createOpenAIProvider(config()).transcribe(request({ apiKey: fake.apiKey }));
    expect(result.segments.map((s) => s.text)).toEqual(['Real speech.']);
    expect(result.segments[0].words.map((w) => w.word)).toEqual(['Real', 'speech.']);

    fake.setTranscript(() => [{ word: 'Late.', start: 9.5, end: 10.3 }]);
    const clamped = await createOpenAIProvider(config()).transcribe(request({ apiKey: fake.apiKey }));
    expect(clamped.segments[0]).toMatchObject({ start: 9.5, end: 10 });
    expect(clamped.segments[0].words[0]).toMatchObject({ start: 9.5, end: 10 });
  });

  it('asks gpt-4o transcribe models for json and returns the chunk as one segment', async () => {
    const result = await createOpenAIProvider({ ...config(), defaultModel: 'gpt-4o-mini-transcribe' }).transcribe(
      request({ apiKey: fake.apiKey, language: 'en' }),
    );
    expect(fake.transcriptions[0]).toMatchObject({ model: 'gpt-4o-mini-transcribe', responseFormat: 'json', timestampGranularities: [] });
    expect(result.segments).toEqual([{ start: 0, end: 10, text: 'Hello, world. This is a test of the system.', speaker: null, words: [] }]);
    expect(result.language).toBe('en');
  });

  it('names diarized speakers "Speaker 1", "Speaker 2" in order of appearance', async () => {
    fake.setTranscript(() => [
      ...wordsFromText('Good morning.', { start: 0.5, speaker: 'B' }),
      ...wordsFromText('Morning, how are you?', { start: 5, speaker: 'A' }),
      ...wordsFromText('Fine.', { start: 30, speaker: 'B' }),
    ]);
    const result = await createOpenAIProvider(config()).transcribe(
      request({ apiKey: fake.apiKey, wavPath: wav40, durationSeconds: 40, model: 'gpt-4o-transcribe-diarize', diarize: true }),
    );
    expect(fake.transcriptions[0]).toMatchObject({ responseFormat: 'diarized_json', chunkingStrategy: 'auto' });
    expect(result.segments.map((s) => [s.speaker, s.text])).toEqual([
      ['Speaker 1', 'Good morning.'],
      ['Speaker 2', 'Morning, how are you?'],
      ['Speaker 1', 'Fine.'],
    ]);
    expect(result.segments[1].start).toBeCloseTo(5);
  });

  it('maps 429 to a transient error with retryAfterMs, and does not retry inside the SDK', async () => {
    const provider = createOpenAIProvider(config());
    fake.failNext(429, 1, { 'retry-after': '2' });
    const error = await providerError(provider.transcribe(request({ apiKey: fake.apiKey })));
    expect(error.kind).toBe('transient');
    expect(error.details).toEqual({ status: 429, retryAfterMs: 2000 });
    expect(fake.requests).toHaveLength(1);

    const result = await provider.transcribe(request({ apiKey: fake.apiKey }));
    expect(result.segments).toHaveLength(2);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);

    fake.failNext(429, 1, { 'retry-after-ms': '350' });
    expect((await providerError(provider.transcribe(request({ apiKey: fake.apiKey })))).details.retryAfterMs).toBe(350);
  });

  it('maps 500 and 503 to transient, once each', async () => {
    const provider = createOpenAIProvider(config());
    fake.failNext(500);
    const error = await providerError(provider.transcribe(request({ apiKey: fake.apiKey })));
    expect(error).toMatchObject({ kind: 'transient', details: { status: 500 } });
    expect(error.message).toMatch(/server had an error/);
    fake.failNext(503);
    expect((await providerError(provider.transcribe(request({ apiKey: fake.apiKey })))).kind).toBe('transient');
    expect(fake.requests).toHaveLength(2);
  });

  it('maps a rejected key to auth, and a missing key to auth without calling out', async () => {
    const provider = createOpenAIProvider(config());
    const error = await providerError(provider.transcribe(request({ apiKey: 'sk-wrong-key-123456' })));
    expect(error).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(error.message).toMatch(/Incorrect API key/);

    const quota = { error: { message: 'You exceeded your current quota.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } };
    fake.failNext(429, 1, {}, { body: quota });
    expect((await providerError(provider.transcribe(request({ apiKey: fake.apiKey })))).kind).toBe('auth');

    const before = fake.requests.length;
    const official = createOpenAIProvider({ defaultModel: 'whisper-1', timeoutMs: 1000 });
    expect((await providerError(official.transcribe(request({ apiKey: null })))).kind).toBe('auth');
    expect(fake.requests).toHaveLength(before);
  });

  it('maps an unreachable server, a dropped connection and a timeout to transient', async () => {
    const port = await deadPort();
    const unreachable = createOpenAIProvider({ ...config(), baseURL: `http://127.0.0.1:${port}/v1` });
    const error = await providerError(unreachable.transcribe(request({ apiKey: 'sk-x' })));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/ECONNREFUSED/);

    fake.dropNext();
    expect((await providerError(createOpenAIProvider(config()).transcribe(request({ apiKey: fake.apiKey })))).kind).toBe('transient');

    const unanswered = fake.holdNext(); // answered only after the client's timeout, whenever that fires
    const slow = createOpenAIProvider({ ...config(), timeoutMs: 300 });
    const timeout = await providerError(slow.transcribe(request({ apiKey: fake.apiKey })));
    unanswered.release();
    expect(timeout).toMatchObject({ kind: 'transient', message: 'OpenAI request timed out' });
  });

  it('maps audio the service refuses to bad_media, and other 4xx to unavailable', async () => {
    const provider = createOpenAIProvider(config());
    const error = await providerError(provider.transcribe(request({ apiKey: fake.apiKey, wavPath: notAudio })));
    expect(error).toMatchObject({ kind: 'bad_media', details: { status: 400 } });
    expect(error.message).toMatch(/Invalid file format/);

    const picky = await startFakeOpenAI({ apiKey: 'sk-picky', models: ['whisper-1'] });
    try {
      const wrongModel = createOpenAIProvider({ ...config(), baseURL: picky.baseURL, defaultModel: 'whisper-9' });
      expect(await providerError(wrongModel.transcribe(request({ apiKey: 'sk-picky' })))).toMatchObject({
        kind: 'unavailable',
        details: { status: 404 },
      });
    } finally {
      await picky.close();
    }
  });

  it('rejects with the abort reason when the caller aborts', async () => {
    const held = fake.holdNext();
    const controller = new AbortController();
    const pending = createOpenAIProvider(config()).transcribe(request({ apiKey: fake.apiKey, signal: controller.signal }));
    await held.arrival(); // the request is in flight
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    held.release();
    expect(error).not.toBeInstanceOf(ProviderError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('talks to a keyless OpenAI-compatible server without an Authorization header', async () => {
    const local = await startFakeOpenAI({ apiKey: null });
    try {
      const provider = createOpenAIProvider({ baseURL: local.baseURL, defaultModel: 'whisper-1', timeoutMs: 5000 });
      expect(await provider.availability()).toEqual({ ok: true });
      const result = await provider.transcribe(request({ apiKey: null }));
      expect(result.segments.length).toBeGreaterThan(0);
      expect(local.transcriptions[0].authorization).toBeNull();
    } finally {
      await local.close();
    }
  });

  it('reports availability from its configuration alone', async () => {
    expect(await createOpenAIProvider({ defaultModel: 'whisper-1', timeoutMs: 1000 }).availability()).toMatchObject({ ok: false });
    expect(await createOpenAIProvider({ defaultModel: 'whisper-1', timeoutMs: 1000, apiKey: 'sk-x' }).availability()).toEqual({ ok: true });
    expect(createOpenAIProvider(config()).maxChunkSeconds).toBe(600);
    expect(whisperLanguageToCode('english')).toBe('en');
    expect(whisperLanguageToCode('pt-BR')).toBe('pt-BR');
    expect(whisperLanguageToCode('Klingon')).toBeNull();
  });
});

describe('translateText', () => {
  let fake: FakeOpenAIServer;
  const paragraph = (n: number) =>
    Array.from({ length: 6 }, (_, i) => `Paragraph ${n} has sentence number ${i + 1}, which is fairly ordinary.`).join(' ');

  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.setTranslator((chat) => (chat.user ?? '').toUpperCase());
  });

  it('translates through chat completions with the target language in the instructions', async () => {
    const out = await translateText('Hello there.', 'de', { apiKey: fake.apiKey, baseURL: fake.baseURL, model: 'gpt-4o-mini' });
    expect(out).toBe('HELLO THERE.');
    expect(fake.chats).toHaveLength(1);
    expect(fake.chats[0]).toMatchObject({ model: 'gpt-4o-mini', user: 'Hello there.', authorization: `Bearer ${fake.apiKey}` });
    expect(fake.chats[0].system).toMatch(/German/);
    expect(await translateText('  \n ', 'de', { apiKey: fake.apiKey, baseURL: fake.baseURL, model: 'gpt-4o-mini' })).toBe('  \n ');
    expect(fake.chats).toHaveLength(1);
  });

  it('splits long text by paragraphs, then sentences, and keeps the breaks', async () => {
    const long = Array.from({ length: 12 }, (_, i) => `This is an especially long paragraph sentence ${i + 1}.`).join(' ');
    const text = `${paragraph(1)}\n\n${paragraph(2)}\n\n${long}\n${paragraph(3)}`;
    const out = await translateText(text, 'fr', { apiKey: fake.apiKey, baseURL: fake.baseURL, model: 'gpt-4o-mini', maxChunkChars: 500 });
    expect(out).toBe(text.toUpperCase());
    expect(fake.chats.length).toBeGreaterThanOrEqual(4);
    for (const chat of fake.chats) expect(chat.user!.length).toBeLessThanOrEqual(500);
    expect(fake.chats[0].user).toBe(paragraph(1));
    // the oversized paragraph was cut between sentences, never inside one
    expect(fake.chats.every((c) => c.user!.endsWith('.'))).toBe(true);
    expect(fake.chats.some((c) => c.user!.includes(long))).toBe(false);
    expect(fake.chats.some((c) => c.user!.startsWith('This is an especially long paragraph sentence'))).toBe(true);
  });

  it('splits further when the model says the text is too long', async () => {
    const small = await startFakeOpenAI({ apiKey: fake.apiKey, maxChatChars: 900, translator: (chat) => (chat.user ?? '').toUpperCase() });
    try {
      const text = `${paragraph(1)}\n\n${paragraph(2)}`;
      const out = await translateText(text, 'es', { apiKey: fake.apiKey, baseURL: small.baseURL, model: 'gpt-4o-mini', maxChunkChars: 2000 });
      expect(out).toBe(text.toUpperCase());
      expect(small.requests.filter((r) => r.status === 400).length).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });

  it('maps errors like the transcription calls do', async () => {
    const error = await providerError(translateText('Hi.', 'de', { apiKey: 'sk-bad-key-0000', baseURL: fake.baseURL, model: 'gpt-4o-mini' }));
    expect(error.kind).toBe('auth');
    fake.failNext(429, 1, { 'retry-after': '1' });
    expect((await providerError(translateText('Hi.', 'de', { apiKey: fake.apiKey, baseURL: fake.baseURL, model: 'gpt-4o-mini' }))).details).toEqual({
      status: 429,
      retryAfterMs: 1000,
    });
  });

  it('splitForTranslation pieces rejoin to the source', () => {
    const text = `${paragraph(1)}\n\n\n${'word '.repeat(200).trim()}\n${'x'.repeat(1300)}`;
    const pieces = splitForTranslation(text, 400);
    expect(pieces.every((p) => p.text.length <= 400)).toBe(true);
    expect(pieces.map((p, i) => (i ? p.separator : '') + p.text).join('')).toBe(text);
  });
});

describe('Deepgram provider', () => {
  let fake: FakeDeepgramServer;
  const config = () => ({ baseURL: fake.baseUrl, defaultModel: 'nova-3', timeoutMs: 10_000 });

  beforeAll(async () => {
    fake = await startFakeDeepgram();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.setTranscript(() => ({
      words: [
        ...dgWords('Hello, how are you?', { start: 0.4, speaker: 0 }),
        ...dgWords("I'm fine, thanks, and you?", { start: 2.8, speaker: 1 }),
        ...dgWords('Very well.', { start: 6, speaker: 0 }),
      ],
      detectedLanguage: 'en',
    }));
  });

  it('maps utterances to segments with words, 1-based speakers and the detected language', async () => {
    const provider = createDeepgramProvider(config());
    const result = await provider.transcribe(request({ apiKey: fake.apiKey, diarize: true }));

    expect(result.language).toBe('en');
    expect(result.segments.map((s) => [s.speaker, s.text])).toEqual([
      ['Speaker 1', 'Hello, how are you?'],
      ['Speaker 2', "I'm fine, thanks, and you?"],
      ['Speaker 1', 'Very well.'],
    ]);
    const second = result.segments[1];
    expect(second.start).toBeCloseTo(2.8);
    expect(second.end).toBeCloseTo(4.95);
    expect(second.words[0]).toMatchObject({ word: "I'm", start: 2.8, end: 3.15, speaker: 'Speaker 2', confidence: 0.98 });
    expect(second.words.map((w) => w.word)).toEqual(["I'm", 'fine,', 'thanks,', 'and', 'you?']);

    expect(fake.listens).toHaveLength(1);
    const sent = fake.listens[0];
    expect(sent).toMatchObject({
      model: 'nova-3',
      language: null,
      detectLanguage: true,
      diarize: true,
      smartFormat: true,
      utterances: true,
      contentType: 'audio/wav',
      bodyBytes: wav(10).length,
      authorization: `Token ${fake.apiKey}`,
    });
  });

  it('passes the language and model, and leaves speakers out without diarization', async () => {
    const provider = createDeepgramProvider(config());
    const result = await provider.transcribe(request({ apiKey: fake.apiKey, language: 'de', model: 'nova-2' }));
    expect(fake.listens[0]).toMatchObject({ model: 'nova-2', language: 'de', detectLanguage: false, diarize: false });
    expect(fake.listens[0].query.detect_language).toBeUndefined();
    expect(result.language).toBe('de');
    expect(result.segments.every((s) => s.speaker === null && s.words.every((w) => w.speaker === null))).toBe(true);
    expect(result.segments.map((s) => s.text).join(' ')).toBe("Hello, how are you? I'm fine, thanks, and you? Very well.");
  });

  it('maps 429 to transient with retryAfterMs, then succeeds; no SDK retries', async () => {
    const provider = createDeepgramProvider(config());
    fake.failNext(429, 1, { 'retry-after': '3' });
    const error = await providerError(provider.transcribe(request({ apiKey: fake.apiKey })));
    expect(error).toMatchObject({ kind: 'transient', details: { status: 429, retryAfterMs: 3000 } });
    expect(error.message).toMatch(/Too many requests/);
    expect(fake.requests).toHaveLength(1);
    expect((await provider.transcribe(request({ apiKey: fake.apiKey }))).segments).toHaveLength(3);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('maps 500 to transient, 401 and 402 to auth, refused audio to bad_media', async () => {
    const provider = createDeepgramProvider(config());
    fake.failNext(500);
    expect(await providerError(provider.transcribe(request({ apiKey: fake.apiKey })))).toMatchObject({ kind: 'transient', details: { status: 500 } });
    expect(fake.requests).toHaveLength(1);

    const denied = await providerError(provider.transcribe(request({ apiKey: 'wrong' })));
    expect(denied).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(denied.message).toMatch(/Invalid credentials/);
    fake.failNext(402);
    expect((await providerError(provider.transcribe(request({ apiKey: fake.apiKey })))).kind).toBe('auth');

    const bad = await providerError(provider.transcribe(request({ apiKey: fake.apiKey, wavPath: notAudio })));
    expect(bad).toMatchObject({ kind: 'bad_media', details: { status: 400 } });
    expect(bad.message).toMatch(/corrupt or unsupported data/);

    expect((await providerError(createDeepgramProvider({ defaultModel: 'nova-3', timeoutMs: 1000 }).transcribe(request({ apiKey: null })))).kind).toBe('auth');
  });

  it('maps an unreachable server, a dropped connection and a timeout to transient', async () => {
    const port = await deadPort();
    const unreachable = createDeepgramProvider({ ...config(), baseURL: `http://127.0.0.1:${port}` });
    const error = await providerError(unreachable.transcribe(request({ apiKey: 'k' })));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/ECONNREFUSED/);

    fake.dropNext();
    expect((await providerError(createDeepgramProvider(config()).transcribe(request({ apiKey: fake.apiKey })))).kind).toBe('transient');

    const unanswered = fake.holdNext(); // answered only after the client's timeout, whenever that fires
    const slow = createDeepgramProvider({ ...config(), timeoutMs: 300 });
    const timeout = await providerError(slow.transcribe(request({ apiKey: fake.apiKey })));
    unanswered.release();
    expect(timeout).toMatchObject({ kind: 'transient', message: 'Deepgram request timed out' });
  });

  it('reports availability from its configuration alone', async () => {
    expect(await createDeepgramProvider({ defaultModel: 'nova-3', timeoutMs: 1000 }).availability()).toMatchObject({ ok: false });
    expect(await createDeepgramProvider({ defaultModel: 'nova-3', timeoutMs: 1000, apiKey: 'k' }).availability()).toEqual({ ok: true });
    expect(createDeepgramProvider(config()).maxChunkSeconds).toBe(1800);
  });
});

describe('Deepgram live (SDK live client against the fake)', () => {
  let fake: FakeDeepgramServer;
  const spoken = 'Hello there. This is a live test. Goodbye now.';
  // The fake's idle timeout runs on time the tests move: a busy machine never closes a stream early.
  const idleTimers = new ManualTimers();

  beforeAll(async () => {
    fake = await startFakeDeepgram({ liveIdleTimeoutMs: 400, liveIdleTimers: idleTimers });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.setLive(() => dgWords(spoken, { start: 0.3 }));
  });

  type LiveMessage = { type: string; is_final?: boolean; speech_final?: boolean; from_finalize?: boolean; channel?: { alternatives: Array<{ transcript: string }> } };

  async function open(apiKey: string, extra: Record<string, unknown> = {}) {
    const client = new DeepgramClient({ apiKey, baseUrl: fake.baseUrl });
    const socket = await client.listen.v1.connect({
      model: 'nova-3',
      encoding: 'linear16',
      sample_rate: 16000,
      channels: 1,
      interim_results: 'true',
      punctuate: 'true',
      endpointing: 300,
      utterance_end_ms: 1000,
      vad_events: 'true',
      reconnectAttempts: 0,
      ...extra,
    });
    const messages: LiveMessage[] = [];
    const closed = new Promise<{ code?: number }>((resolve) => socket.on('close', (event) => resolve(event as { code?: number })));
    socket.on('message', (message) => messages.push(message as LiveMessage));
    return { socket, messages, closed };
  }

  it('streams audio and receives interim results, endpointed finals and metadata', async () => {
    const { socket, messages, closed } = await open(fake.apiKey!);
    socket.connect();
    await socket.waitForOpen();
    const pcm = wav(7).subarray(44);
    for (let offset = 0; offset < pcm.length; offset += 3200) socket.sendMedia(pcm.subarray(offset, offset + 3200));
    socket.sendCloseStream({ type: 'CloseStream' });
    const event = await closed;
    expect(event.code).toBe(1000);

    const results = messages.filter((m) => m.type === 'Results');
    const interim = results.filter((m) => m.is_final === false);
    const finals = results.filter((m) => m.is_final === true);
    expect(interim.length).toBeGreaterThan(0);
    expect(finals.filter((m) => m.speech_final).length).toBeGreaterThanOrEqual(3);
    const text = finals.map((m) => m.channel!.alternatives[0].transcript).filter(Boolean).join(' ');
    expect(text).toBe(spoken);
    expect(messages.some((m) => m.type === 'SpeechStarted')).toBe(true);
    expect(messages.some((m) => m.type === 'UtteranceEnd')).toBe(true);
    expect(messages[messages.length - 1].type).toBe('Metadata');

    const session = fake.liveSessions[0];
    expect(session.authorization).toBe(`Token ${fake.apiKey}`);
    expect(session.query).toMatchObject({ model: 'nova-3', encoding: 'linear16', sample_rate: '16000', interim_results: 'true', endpointing: '300' });
    expect(session.audioSeconds).toBeCloseTo(7, 1);
    expect(session.controlMessages).toEqual([{ type: 'CloseStream' }]);
  });

  it('flushes on Finalize, survives on KeepAlive, and closes an idle stream with 1011', async () => {
    const { socket, messages, closed } = await open(fake.apiKey!, { interim_results: 'false', endpointing: 'false' });
    socket.connect();
    await socket.waitForOpen();
    const session = await fake.waitForLiveSession(0, 60_000);
    socket.sendMedia(wav(1.2).subarray(44)); // "Hello there." is heard but never endpointed
    socket.sendFinalize({ type: 'Finalize' });
    await waitFor('the Finalize to be answered', async () => messages.some((m) => m.type === 'Results' && m.from_finalize));
    // Each KeepAlive comes 150 ms after the last message, within the 400 ms idle timeout; together they
    // carry the stream well past it.
    const keepAlives = () => session.controlMessages.filter((m) => m.type === 'KeepAlive').length;
    for (let i = 1; i <= 5; i += 1) {
      idleTimers.advance(150);
      socket.sendKeepAlive({ type: 'KeepAlive' });
      await waitFor('the KeepAlive to arrive', async () => keepAlives() === i);
    }
    expect(session.isOpen()).toBe(true);
    const flushed = messages.filter((m) => m.type === 'Results');
    expect(flushed).toHaveLength(1);
    expect(flushed[0]).toMatchObject({ is_final: true, from_finalize: true });
    expect(flushed[0].channel!.alternatives[0].transcript).toBe('Hello there.');

    idleTimers.advance(400); // no more KeepAlives: the idle timeout fires
    const event = await closed;
    expect(event.code).toBe(1011);
    expect((await session.closed).reason).toMatch(/NET0001/i);
  });

  it('refuses a live connection with a wrong key', async () => {
    const { socket } = await open('wrong-key');
    const failed = new Promise<Error>((resolve) => socket.on('error', (error) => resolve(error)));
    socket.connect();
    const error = await failed;
    expect(String(error.message)).toMatch(/401/);
    expect(fake.liveSessions).toHaveLength(0);
    socket.close();
  });
});
