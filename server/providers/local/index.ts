/** The LOCAL engine (PocketSphinx on worker threads). See provider.ts and streamingDecoder.ts. */
export { createLocalProvider, LocalProvider, type LocalProviderOptions } from './provider.ts';
export {
  StreamingDecoder,
  type PartialHypothesis,
  type RecognizedSegment,
  type RecognizedWord,
  type StreamingDecoderEvents,
  type StreamingDecoderOptions,
} from './streamingDecoder.ts';
export { pocketSphinxAvailability } from './binding.ts';
export { parseWav, readWav, WavFormatError, type WavAudio } from './wav.ts';
export { SAMPLE_RATE, MAX_PIECE_SAMPLES } from './recognizer.ts';
