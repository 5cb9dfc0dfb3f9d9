/** The transcription of one job, as the transcribe task runs it: the pipeline, its chunk store and its ends. */
export { transcribeJob } from './pipeline.ts';
export { storeChunk } from './storeChunk.ts';
export { completeTranscription, transcriptionFailure } from './outcome.ts';
