// clusterSpeakers on made-up voice statistics: who is who across chunks, with the rules the
// recordings cannot show on demand (two labels of one chunk stay apart even when alike, unmeasurable
// units, thin clusters, the speaker cap). The audio side is tested in speakers.test.ts.
import { describe, expect, it } from 'vitest';
import { addVoicedFrame, BANDS, emptyVoiceStats, type VoiceStats } from '../server/media/voiceSignature.ts';
import { clusterSpeakers, type SpeakerUnit } from '../server/services/transcription/speakerClustering.ts';

const OPTIONS = { threshold: 2, maxSpeakers: 20 };

/** `frames` voiced frames around `hz` (within 2%), with a flat spectral shape tilted by `tilt`. */
function voice(hz: number, frames = 100, tilt = 0): VoiceStats {
  const stats = emptyVoiceStats();
  const shape = Array.from({ length: BANDS }, (_, b) => tilt * (b - (BANDS - 1) / 2) * 0.1);
  for (let i = 0; i < frames; i++) addVoicedFrame(stats, hz * (1 + ((i % 5) - 2) * 0.01), shape);
  return stats;
}

const unit = (key: string, chunk: number, label: string | null, start: number, stats: VoiceStats): SpeakerUnit => ({ key, chunk, label, start, stats });

describe('clusterSpeakers', () => {
  it('links labels across chunks by voice, whatever the engine called them, numbered by first appearance', () => {
    const speakers = clusterSpeakers(
      [
        unit('0:A', 0, 'A', 0, voice(200)),
        unit('0:B', 0, 'B', 3, voice(100)),
        unit('1:A', 1, 'A', 10, voice(102)),
        unit('1:B', 1, 'B', 12, voice(205)),
        unit('2:A', 2, 'A', 20, voice(99)),
      ],
      OPTIONS,
    );
    expect(Object.fromEntries(speakers)).toEqual({ '0:A': 0, '0:B': 1, '1:A': 1, '1:B': 0, '2:A': 1 });
  });

  it('keeps two labels of one chunk apart even when their voices are alike, and a new voice is a new speaker', () => {
    const speakers = clusterSpeakers(
      [unit('0:A', 0, 'A', 0, voice(150)), unit('0:B', 0, 'B', 2, voice(152)), unit('1:A', 1, 'A', 10, voice(300))],
      OPTIONS,
    );
    expect(Object.fromEntries(speakers)).toEqual({ '0:A': 0, '0:B': 1, '1:A': 2 });
  });

  it('matches closest pairs first within a chunk, not in the order the labels come', () => {
    // In chunk 1 both labels are near the 120 Hz speaker; the one that fits it best (121 Hz) takes it,
    // though it comes second, and the other (126 Hz) may not share it and is far from 200 Hz: someone new.
    const speakers = clusterSpeakers(
      [
        unit('0:A', 0, 'A', 0, voice(120)),
        unit('0:B', 0, 'B', 2, voice(200)),
        unit('1:A', 1, 'A', 10, voice(126)),
        unit('1:B', 1, 'B', 11, voice(121)),
      ],
      OPTIONS,
    );
    expect(speakers.get('1:B')).toBe(speakers.get('0:A'));
    expect(speakers.get('1:A')).not.toBe(speakers.get('0:A'));
    expect(speakers.get('1:A')).not.toBe(speakers.get('0:B'));
  });

  it('puts a unit too short to measure with the speaker nearest in time it may join', () => {
    const speakers = clusterSpeakers(
      [
        unit('0:A', 0, 'A', 0, voice(200)),
        unit('0:B', 0, 'B', 3, voice(100)),
        unit('1:A', 1, 'A', 10, voice(100)),
        unit('1:B', 1, 'B', 14, voice(200, 3)), // "No." — three voiced frames
        unit('segment:9', 2, null, 20.5, voice(100, 0)),
      ],
      OPTIONS,
    );
    // 1:B may not join 1:A's speaker (same chunk), so it joins the other one nearest in time; an
    // unlabelled segment goes with the nearest measured unit (1:A), whoever that was.
    expect(speakers.get('1:B')).toBe(speakers.get('0:A'));
    expect(speakers.get('segment:9')).toBe(speakers.get('1:A'));
    expect(new Set(speakers.values()).size).toBe(2);
  });

  it('folds a thin unlabelled cluster into the nearest voice, and caps the number of speakers', () => {
    const thin = clusterSpeakers(
      [unit('s1', 0, null, 0, voice(200)), unit('s2', 0, null, 5, voice(100)), unit('s3', 0, null, 9, voice(400, 20))],
      OPTIONS,
    );
    expect(new Set(thin.values()).size).toBe(2);
    expect(thin.get('s3')).toBe(thin.get('s1'));

    const many = clusterSpeakers(
      [80, 110, 150, 210, 290].map((hz, i) => unit(`s${i}`, 0, null, i, voice(hz))),
      { threshold: 2, maxSpeakers: 3 },
    );
    expect(new Set(many.values()).size).toBe(3);
  });
});
