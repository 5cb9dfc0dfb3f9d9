export { sniffMedia, demuxerFor, type MediaContainer } from './sniff.ts';
export { probeMedia, type ProbeOptions, type ProbeResult } from './probe.ts';
export { normaliseAudio, type NormaliseOptions, type NormaliseResult } from './normalise.ts';
export { assertAudible, measureLevels } from './audible.ts';
export { planChunks, extractChunk, type Chunk, type PlanOptions } from './chunks.ts';
export { prepareAudio, type PrepareOptions } from './prepare.ts';
export { defaultMediaTools, mediaToolsFromEnv, type MediaTools } from './run.ts';
export { formatDuration, type MediaErrorReason } from './mediaError.ts';
export { readWavInfo, readMonoPcmInfo, readPcmBlocks, wavHeader, SAMPLE_RATE, type WavInfo } from './wav.ts';
