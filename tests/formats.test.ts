import { describe, expect, it } from 'vitest';
import type { Segment, Word } from '../server/providers/types.ts';
import {
  formatTimestamp,
  renderSrt,
  renderTranscript,
  renderTxt,
  renderVtt,
  splitIntoCues,
  transcriptContentType,
  transcriptExtension,
  transcriptFormatFromExtension,
  type Cue,
  type TranscriptInput,
} from '../server/transcripts/formats.ts';

const w = (word: string, start: number, end: number, speaker?: string): Word => ({ word, start, end, speaker });

const diarized: TranscriptInput = {
  jobId: 'job_1',
  language: 'en',
  durationSeconds: 6,
  translatedText: null,
  segments: [
    {
      start: 0.5,
      end: 2.1,
      text: ' Hello and welcome to the show.',
      speaker: 'Speaker 1',
      words: [w('Hello', 0.5, 0.8), w('and', 0.85, 1), w('welcome', 1, 1.4), w('to', 1.4, 1.5), w('the', 1.5, 1.6), w('show', 1.6, 2.1)],
    },
    {
      start: 2.4,
      end: 5,
      text: 'Thanks for having me, it is a pleasure to be here today.',
      speaker: 'Speaker 2',
      words: [
        w('thanks', 2.4, 2.6),
        w('for', 2.6, 2.7),
        w('having', 2.7, 3),
        w('me', 3, 3.2),
        w('it', 3.4, 3.5),
        w('is', 3.5, 3.6),
        w('a', 3.6, 3.65),
        w('pleasure', 3.65, 4.1),
        w('to', 4.1, 4.2),
        w('be', 4.2, 4.3),
        w('here', 4.3, 4.5),
        w('today', 4.5, 4.95),
      ],
    },
    { start: 5.2, end: 5.5, text: 'Great.', speaker: 'Speaker 1', words: [] },
  ],
};

// ---- strict little parsers, so the tests check the syntax rather than trust the renderer ----

const VTT_TIMING = /^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$/;
const SRT_TIMING = /^(\d{2,}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d),(\d{3})$/;

interface ParsedCue {
  start: number;
  end: number;
  lines: string[];
}

function seconds(m: RegExpMatchArray, offset: number): number {
  return Number(m[offset]) * 3600 + Number(m[offset + 1]) * 60 + Number(m[offset + 2]) + Number(m[offset + 3]) / 1000;
}

function parseVtt(vtt: string): Array<ParsedCue & { voice: string | null }> {
  expect(vtt.endsWith('\n')).toBe(true);
  expect(vtt).not.toContain('\r');
  const blocks = vtt.slice(0, -1).split('\n\n');
  expect(blocks[0]).toBe('WEBVTT');
  return blocks.slice(1).map((block) => {
    const lines = block.split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const m = lines[0].match(VTT_TIMING);
    if (!m) throw new Error(`bad VTT timing line: ${lines[0]}`);
    let voice: string | null = null;
    const text = lines.slice(1).map((line, i) => {
      expect(line.trim()).not.toBe('');
      expect(line).not.toContain('-->');
      let rest = line;
      if (i === 0) {
        const v = line.match(/^<v ([^<>\n]+)>/);
        if (v) {
          voice = v[1];
          rest = line.slice(v[0].length);
        }
      }
      expect(rest).not.toMatch(/[<>]/);
      expect(rest.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      return rest;
    });
    return { start: seconds(m, 1), end: seconds(m, 5), lines: text, voice };
  });
}

function parseSrt(srt: string): ParsedCue[] {
  if (srt === '') return [];
  expect(srt.endsWith('\n')).toBe(true);
  return srt
    .slice(0, -1)
    .split('\n\n')
    .map((block, i) => {
      const lines = block.split('\n');
      expect(lines[0]).toBe(String(i + 1));
      const m = lines[1].match(SRT_TIMING);
      if (!m) throw new Error(`bad SRT timing line: ${lines[1]}`);
      const text = lines.slice(2);
      expect(text.length).toBeGreaterThanOrEqual(1);
      for (const line of text) expect(line.trim()).not.toBe('');
      return { start: seconds(m, 1), end: seconds(m, 5), lines: text };
    });
}

function expectWellTimed(cues: Array<{ start: number; end: number }>) {
  let previousEnd = 0;
  for (const cue of cues) {
    expect(cue.start).toBeGreaterThanOrEqual(previousEnd);
    expect(cue.end).toBeGreaterThan(cue.start);
    expect(Math.round(cue.start * 1000)).toBeCloseTo(cue.start * 1000, 6);
    expect(Math.round(cue.end * 1000)).toBeCloseTo(cue.end * 1000, 6);
    previousEnd = cue.end;
  }
}

// 60 words over 20 s.
const VOCABULARY =
  'the quick brown fox jumps over a lazy dog while curious cats watch from an old wooden fence and then everyone goes home to rest after a very long tiring day of honest work in the busy city centre where many people live together quite happily ever after until the final chapter of this remarkably unremarkable story ends'.split(
    ' ',
  );
const sixty = VOCABULARY.slice(0, 60);
const longSegment: Segment = {
  start: 10,
  end: 30,
  text: sixty.join(' '),
  speaker: 'Speaker 1',
  words: sixty.map((word, i) => w(word, 10 + (i * 20) / 60, 10 + ((i + 0.85) * 20) / 60)),
};

function checkCues(cues: Cue[], words: Word[], opts: { maxDuration: number; prefix?: boolean }) {
  expectWellTimed(cues);
  // Word boundaries: the cues hold exactly the words, in order, none cut.
  expect(cues.flatMap((c) => c.text.split(' '))).toEqual(words.map((x) => x.word));
  let k = 0;
  for (const [i, cue] of cues.entries()) {
    expect(cue.index).toBe(i + 1);
    expect(cue.lines.length).toBeGreaterThanOrEqual(1);
    expect(cue.lines.length).toBeLessThanOrEqual(2);
    expect(cue.lines.join(' ')).toBe(cue.text);
    cue.lines.forEach((line, j) => expect((j === 0 ? cue.prefix : '').length + line.length).toBeLessThanOrEqual(42));
    const count = cue.text.split(' ').length;
    const first = words[k];
    const last = words[k + count - 1];
    k += count;
    expect(cue.start).toBe(Math.round(first.start * 1000) / 1000);
    expect(cue.end - cue.start).toBeLessThanOrEqual(opts.maxDuration + 1e-9);
    // The end is the last word's end, stretched to 0.7 s only when that leaves room.
    const next = cues[i + 1];
    const wanted = Math.min(Math.max(Math.round(last.end * 1000) / 1000, cue.start + 0.7), cue.start + opts.maxDuration);
    expect(cue.end).toBeCloseTo(next ? Math.min(wanted, next.start) : wanted, 9);
  }
}

describe('exact output for a small diarized transcript', () => {
  it('TXT', () => {
    expect(renderTranscript('TXT', diarized)).toBe(
      'Speaker 1: Hello and welcome to the show.\n\n' +
        'Speaker 2: Thanks for having me, it is a pleasure to be here today.\n\n' +
        'Speaker 1: Great.\n',
    );
  });

  it('SRT', () => {
    expect(renderTranscript('SRT', diarized)).toBe(
      [
        '1',
        '00:00:00,500 --> 00:00:02,100',
        'Speaker 1: Hello and welcome to the show.',
        '',
        '2',
        '00:00:02,400 --> 00:00:04,950',
        'Speaker 2: Thanks for having me,',
        'it is a pleasure to be here today.',
        '',
        '3',
        '00:00:05,200 --> 00:00:05,900',
        'Speaker 1: Great.',
        '',
      ].join('\n'),
    );
  });

  it('VTT', () => {
    expect(renderTranscript('VTT', diarized)).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.500 --> 00:00:02.100',
        '<v Speaker 1>Hello and welcome to the show.',
        '',
        '00:00:02.400 --> 00:00:04.950',
        '<v Speaker 2>Thanks for having me,',
        'it is a pleasure to be here today.',
        '',
        '00:00:05.200 --> 00:00:05.900',
        '<v Speaker 1>Great.',
        '',
      ].join('\n'),
    );
  });

  it('JSON', () => {
    const word = (text: string, start: number, end: number) => ({ word: text, start, end, confidence: null, speaker: null });
    const expected = {
      jobId: 'job_1',
      language: 'en',
      durationSeconds: 6,
      text: 'Hello and welcome to the show. Thanks for having me, it is a pleasure to be here today. Great.',
      translatedText: null,
      revision: 0,
      sentiment: null,
      summary: null,
      segments: [
        {
          index: 0,
          start: 0.5,
          end: 2.1,
          text: 'Hello and welcome to the show.',
          speaker: 'Speaker 1',
          speakerName: 'Speaker 1',
          words: [
            word('Hello', 0.5, 0.8),
            word('and', 0.85, 1),
            word('welcome', 1, 1.4),
            word('to', 1.4, 1.5),
            word('the', 1.5, 1.6),
            word('show', 1.6, 2.1),
          ],
          sentiment: null,
        },
        {
          index: 1,
          start: 2.4,
          end: 5,
          text: 'Thanks for having me, it is a pleasure to be here today.',
          speaker: 'Speaker 2',
          speakerName: 'Speaker 2',
          words: [
            word('thanks', 2.4, 2.6),
            word('for', 2.6, 2.7),
            word('having', 2.7, 3),
            word('me', 3, 3.2),
            word('it', 3.4, 3.5),
            word('is', 3.5, 3.6),
            word('a', 3.6, 3.65),
            word('pleasure', 3.65, 4.1),
            word('to', 4.1, 4.2),
            word('be', 4.2, 4.3),
            word('here', 4.3, 4.5),
            word('today', 4.5, 4.95),
          ],
          sentiment: null,
        },
        { index: 2, start: 5.2, end: 5.5, text: 'Great.', speaker: 'Speaker 1', speakerName: 'Speaker 1', words: [], sentiment: null },
      ],
    };
    const json = renderTranscript('JSON', { ...diarized, translatedText: undefined });
    expect(json).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    expect(json.split('\n')[1]).toBe('  "jobId": "job_1",');
  });

  it('JSON carries the translation, rounds times to milliseconds and nulls what is missing', () => {
    const parsed = JSON.parse(
      renderTranscript('JSON', {
        language: null,
        durationSeconds: 12.34567,
        translatedText: 'Hola.',
        segments: [{ start: 0.1 + 0.2, end: 1.00049, text: 'Hi.', words: [{ word: ' Hi', start: 0.3, end: 1, confidence: 0.9 }] }],
      }),
    );
    expect(parsed).toEqual({
      jobId: null,
      language: null,
      durationSeconds: 12.346,
      text: 'Hi.',
      translatedText: 'Hola.',
      revision: 0,
      sentiment: null,
      summary: null,
      segments: [
        {
          index: 0,
          start: 0.3,
          end: 1,
          text: 'Hi.',
          speaker: null,
          speakerName: null,
          words: [{ word: 'Hi', start: 0.3, end: 1, confidence: 0.9, speaker: null }],
          sentiment: null,
        },
      ],
    });
  });
});

describe('TXT', () => {
  it('labels a paragraph only when the speaker changes, and not at all without diarization', () => {
    const segments: Segment[] = [
      { start: 0, end: 1, text: 'One.', speaker: 'A', words: [] },
      { start: 1, end: 2, text: 'Two.', speaker: 'A', words: [] },
      { start: 2, end: 3, text: 'Three.', speaker: 'B', words: [] },
      { start: 3, end: 4, text: '  ', speaker: 'C', words: [] },
      { start: 4, end: 5, text: 'Four.', speaker: 'A', words: [] },
    ];
    expect(renderTxt(segments)).toBe('A: One.\n\nTwo.\n\nB: Three.\n\nA: Four.\n');
    expect(renderTxt(segments.map((s) => ({ ...s, speaker: null })))).toBe('One.\n\nTwo.\n\nThree.\n\nFour.\n');
  });

  it('orders segments by time, names bare numeric speakers, and splits a segment whose words change speaker', () => {
    const segments: Segment[] = [
      {
        start: 5,
        end: 7,
        text: 'yes sure',
        words: [w('yes', 5, 5.5, '1'), w('sure', 6, 6.5, '2')],
      },
      { start: 0, end: 2, text: 'Shall we?', speaker: '2', words: [] },
    ];
    expect(renderTxt(segments)).toBe('Speaker 2: Shall we?\n\nSpeaker 1: yes\n\nSpeaker 2: sure\n');
  });
});

describe('cue splitting', () => {
  it('a 60-word, 20-second segment: 2x42 lines, whole words, capped durations, increasing times', () => {
    const cues = splitIntoCues([longSegment]);
    expect(cues.length).toBeGreaterThanOrEqual(4);
    checkCues(cues, longSegment.words, { maxDuration: 7 });
    for (const cue of cues) {
      expect(cue.speaker).toBe('Speaker 1');
      expect(cue.prefix).toBe('');
      // Balanced: no one-word cue, no one-word line in a two-line cue.
      expect(cue.text.split(' ').length).toBeGreaterThan(1);
      for (const line of cue.lines) if (cue.lines.length === 2) expect(line.split(' ').length).toBeGreaterThan(1);
    }
    // Every cue except the last is well filled: the split is not greedy-then-orphan.
    const lengths = cues.map((c) => c.text.length);
    expect(Math.min(...lengths)).toBeGreaterThan(Math.max(...lengths) / 2);
  });

  it('with a speaker prefix the first line still fits in 42 characters (SRT)', () => {
    const cues = splitIntoCues([longSegment], { firstLinePrefix: (s) => `${s}: ` });
    checkCues(cues, longSegment.words, { maxDuration: 7 });
    expect(cues.every((c) => c.prefix === 'Speaker 1: ')).toBe(true);
    const srt = parseSrt(renderSrt([longSegment]));
    expect(srt).toHaveLength(cues.length);
    for (const cue of srt) {
      expect(cue.lines[0].startsWith('Speaker 1: ')).toBe(true);
      for (const line of cue.lines) expect(line.length).toBeLessThanOrEqual(42);
    }
  });

  it('slow speech is cut by the duration cap', () => {
    const slowWords = sixty.slice(0, 20).map((word, i) => w(word, i * 1.5, i * 1.5 + 1.2));
    const slow: Segment = { start: 0, end: 30, text: slowWords.map((x) => x.word).join(' '), words: slowWords };
    const cues = splitIntoCues([slow]);
    checkCues(cues, slowWords, { maxDuration: 7 });
    for (const cue of cues) expect(cue.end - cue.start).toBeLessThanOrEqual(7);
    const capped = splitIntoCues([slow], { maxDurationSeconds: 3 });
    checkCues(capped, slowWords, { maxDuration: 3 });
  });

  it('a single word longer than the cap is cut to the cap', () => {
    const [cue] = splitIntoCues([{ start: 1, end: 12, text: 'Ooooh', words: [w('Ooooh', 1, 12)] }]);
    expect([cue.start, cue.end]).toEqual([1, 8]);
  });

  it('never spans a speaker change, even inside one segment', () => {
    const cues = splitIntoCues([
      {
        start: 0,
        end: 3,
        text: 'are you there yes I am',
        words: [
          w('are', 0, 0.2, 'A'),
          w('you', 0.2, 0.4, 'A'),
          w('there', 0.4, 0.8, 'A'),
          w('yes', 1.2, 1.5, 'B'),
          w('I', 1.6, 1.7, 'B'),
          w('am', 1.7, 2, 'B'),
        ],
      },
    ]);
    expect(cues.map((c) => [c.speaker, c.text, c.start, c.end])).toEqual([
      ['A', 'are you there', 0, 0.8],
      ['B', 'yes I am', 1.2, 2],
    ]);
  });

  it('stretches short cues to 0.7 s only where the next cue leaves room', () => {
    const cues = splitIntoCues([
      { start: 1, end: 1.1, text: 'Hi.', words: [w('Hi', 1, 1.1)] },
      { start: 1.4, end: 1.6, text: 'Hey.', words: [w('Hey', 1.4, 1.6)] },
      { start: 5, end: 5.2, text: 'Bye.', words: [w('Bye', 5, 5.2)] },
    ]);
    expect(cues.map((c) => [c.text, c.start, c.end])).toEqual([
      ['Hi.', 1, 1.4],
      ['Hey.', 1.4, 2.1],
      ['Bye.', 5, 5.7],
    ]);
  });

  it('does not stretch the last cue past the end of the media', () => {
    const srt = renderTranscript('SRT', {
      language: null,
      durationSeconds: 5.3,
      segments: [{ start: 5, end: 5.2, text: 'Bye.', words: [] }],
    });
    expect(srt).toBe('1\n00:00:05,000 --> 00:00:05,300\nBye.\n');
  });

  it('overlapping and unordered segments still give increasing, non-overlapping cues', () => {
    const segments: Segment[] = [
      { start: 2, end: 4, text: 'second speaker talks over', speaker: 'B', words: [] },
      { start: 0, end: 3, text: 'first speaker keeps talking here', speaker: 'A', words: [] },
      { start: 2, end: 2, text: 'blip', speaker: 'C', words: [] },
      { start: -1, end: 0.5, text: 'negative start', words: [w('negative', -1, 0.2), w('start', 0.2, 0.5)] },
    ];
    const cues = splitIntoCues(segments);
    expectWellTimed(cues);
    expect(cues[0].start).toBe(0);
    expect(cues.map((c) => c.text).sort()).toEqual(
      ['blip', 'first speaker keeps talking here', 'negative start', 'second speaker talks over'].sort(),
    );
    expectWellTimed(parseVtt(renderVtt(segments)));
    expectWellTimed(parseSrt(renderSrt(segments)));
  });

  it('takes punctuation from the segment text when it lines up with the words, else the words', () => {
    const [aligned] = splitIntoCues([
      { start: 0, end: 1, text: 'Well, okay!', words: [w('well', 0, 0.4), w('okay', 0.5, 1)] },
    ]);
    expect(aligned.text).toBe('Well, okay!');
    const [separatePunctuation] = splitIntoCues([
      { start: 0, end: 1, text: 'x', words: [w('well', 0, 0.4), w(',', 0.4, 0.4), w('okay', 0.5, 1)] },
    ]);
    expect(separatePunctuation.text).toBe('well, okay');
  });

  it('cuts an over-long token so every line fits', () => {
    const url = 'https://example.com/' + 'a'.repeat(100);
    const cues = splitIntoCues([{ start: 0, end: 6, text: `see ${url} now`, words: [] }]);
    for (const cue of cues) for (const line of cue.lines) expect(line.length).toBeLessThanOrEqual(42);
    expect(cues.map((c) => c.lines.join('')).join('').replace(/ /g, '')).toBe(`see${url}now`);
  });
});

describe('segments without words', () => {
  it('spread their text proportionally over the segment span', () => {
    const text = sixty.slice(0, 40).join(' ');
    const cues = splitIntoCues([{ start: 100, end: 112, text, words: [] }]);
    expect(cues.length).toBeGreaterThan(1);
    expectWellTimed(cues);
    expect(cues.map((c) => c.text).join(' ')).toBe(text);
    expect(cues[0].start).toBe(100);
    expect(cues[cues.length - 1].end).toBe(112);
    for (const cue of cues) {
      expect(cue.end - cue.start).toBeLessThanOrEqual(7);
      for (const line of cue.lines) expect(line.length).toBeLessThanOrEqual(42);
      // Proportional: each cue's share of time tracks its share of characters.
      const share = (cue.text.length + 1) / (text.length + 1);
      expect((cue.end - cue.start) / 12).toBeCloseTo(share, 1);
    }
  });

  it('join scripts written without spaces without adding spaces', () => {
    const text = '今日はとても良い天気ですね。散歩に行きましょう。';
    const cues = splitIntoCues([{ start: 0, end: 4, text, words: [] }], { maxLineLength: 16 });
    expect(cues.map((c) => c.lines.join('')).join('')).toBe(text);
    for (const cue of cues) for (const line of cue.lines) expect([...line].length).toBeLessThanOrEqual(16);
  });
});

describe('WebVTT', () => {
  it('parses strictly: header, timing lines, cue blocks, voice tags', () => {
    const cues = parseVtt(renderTranscript('VTT', { ...diarized, segments: [...diarized.segments, longSegment] }));
    expect(cues.length).toBeGreaterThan(4);
    expectWellTimed(cues);
    expect(cues.map((c) => c.voice)).toEqual(cues.map((_, i) => (i === 1 ? 'Speaker 2' : 'Speaker 1')));
    for (const cue of cues) {
      expect(cue.lines.length).toBeLessThanOrEqual(2);
      for (const line of cue.lines) expect(line.length).toBeLessThanOrEqual(42);
    }
  });

  it('escapes &, < and > in cue text and voice names', () => {
    const vtt = renderVtt([
      { start: 0, end: 2, text: 'Tom & Jerry <3 --> fun', speaker: 'Dr <Who>', words: [] },
      { start: 3, end: 4, text: 'a&b', words: [] },
    ]);
    expect(vtt).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Dr &lt;Who&gt;>Tom &amp; Jerry &lt;3 --&gt; fun\n\n' +
        '00:00:03.000 --> 00:00:04.000\na&amp;b\n',
    );
    parseVtt(vtt);
    expect(renderSrt([{ start: 0, end: 2, text: 'Tom & Jerry', words: [] }])).toBe('1\n00:00:00,000 --> 00:00:02,000\nTom & Jerry\n');
  });

  it('renderVtt serves live sessions: segments only, no speakers needed', () => {
    expect(renderVtt([{ start: 0.25, end: 1.5, text: 'testing one two', words: [] }])).toBe(
      'WEBVTT\n\n00:00:00.250 --> 00:00:01.500\ntesting one two\n',
    );
  });
});

describe('SubRip', () => {
  it('numbers cues from 1 with comma milliseconds and blank lines between', () => {
    const srt = renderTranscript('SRT', { ...diarized, segments: [...diarized.segments, longSegment] });
    const cues = parseSrt(srt);
    expect(cues.length).toBeGreaterThan(4);
    expectWellTimed(cues);
    expect(srt).not.toMatch(/\d\.\d{3} -->/);
    expect(srt).not.toContain('\n\n\n');
  });
});

describe('empty transcripts', () => {
  const empty = { segments: [], language: null, durationSeconds: null };
  const blank = { segments: [{ start: 0, end: 1, text: '   ', words: [] }], language: null, durationSeconds: 1 };

  it('give a valid empty SRT, a header-only VTT, empty text and an empty JSON transcript', () => {
    for (const t of [empty, blank]) {
      expect(renderTranscript('SRT', t)).toBe('');
      expect(parseSrt(renderTranscript('SRT', t))).toEqual([]);
      expect(renderTranscript('VTT', t)).toBe('WEBVTT\n');
      expect(parseVtt(renderTranscript('VTT', t))).toEqual([]);
      expect(renderTranscript('TXT', t)).toBe('');
      expect(JSON.parse(renderTranscript('JSON', t)).text).toBe('');
    }
    expect(JSON.parse(renderTranscript('JSON', empty))).toEqual({
      jobId: null,
      language: null,
      durationSeconds: null,
      text: '',
      translatedText: null,
      revision: 0,
      sentiment: null,
      summary: null,
      segments: [],
    });
  });
});

describe('timestamps', () => {
  it('format hours, round to milliseconds and never go negative', () => {
    expect(formatTimestamp(3725.5, 'VTT')).toBe('01:02:05.500');
    expect(formatTimestamp(3725.5, 'SRT')).toBe('01:02:05,500');
    expect(formatTimestamp(59.9996, 'VTT')).toBe('00:01:00.000');
    expect(formatTimestamp(0.0004, 'SRT')).toBe('00:00:00,000');
    expect(formatTimestamp(-3, 'VTT')).toBe('00:00:00.000');
    expect(formatTimestamp(Number.NaN, 'VTT')).toBe('00:00:00.000');
    expect(formatTimestamp(360000, 'SRT')).toBe('100:00:00,000');
  });

  it('render past the first hour in both subtitle formats', () => {
    const late = { language: null, durationSeconds: null, segments: [{ start: 3725.5, end: 3727.25, text: 'Still here.', words: [] }] };
    expect(renderTranscript('VTT', late)).toBe('WEBVTT\n\n01:02:05.500 --> 01:02:07.250\nStill here.\n');
    expect(renderTranscript('SRT', late)).toBe('1\n01:02:05,500 --> 01:02:07,250\nStill here.\n');
  });
});

describe('download metadata', () => {
  it('content types and extensions', () => {
    expect(transcriptContentType('TXT')).toBe('text/plain; charset=utf-8');
    expect(transcriptContentType('SRT')).toBe('application/x-subrip; charset=utf-8');
    expect(transcriptContentType('VTT')).toBe('text/vtt; charset=utf-8');
    expect(transcriptContentType('JSON')).toBe('application/json; charset=utf-8');
    expect(transcriptContentType('DOCX')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(transcriptContentType('PDF')).toBe('application/pdf');
    expect((['TXT', 'SRT', 'VTT', 'JSON', 'DOCX', 'PDF'] as const).map(transcriptExtension)).toEqual(['txt', 'srt', 'vtt', 'json', 'docx', 'pdf']);
    expect(transcriptFormatFromExtension('vtt')).toBe('VTT');
    expect(transcriptFormatFromExtension('.SRT')).toBe('SRT');
    expect(transcriptFormatFromExtension('docx')).toBe('DOCX');
    expect(transcriptFormatFromExtension('odt')).toBeNull();
  });
});
