/**
 * askTranscript: a question about a completed job's transcript, answered by the chat endpoint with
 * citations to the segments (their indexes and times). Whoever may see the job may ask; the chat
 * request goes out on the asker's behalf (their OPENAI key when the chat goes to OpenAI), and its
 * tokens are recorded as the asker's chat usage (purpose QUESTION), answered or not. Nothing else is
 * stored. Every refusal is a typed error: an empty or too long question (BAD_USER_INPUT), a job
 * without a completed transcript (CONFLICT), no chat endpoint (PROVIDER_UNAVAILABLE), too many
 * questions (RATE_LIMITED), the model declining (BAD_USER_INPUT) or failing (UNAVAILABLE,
 * PROVIDER_UNAVAILABLE).
 */
import type { AppDeps, Viewer } from '../context.ts';
import { AppError, badInput, conflict } from '../errors.ts';
import { ChatMeter } from '../providers/chatJson.ts';
import { answerQuestion } from '../providers/transcriptQuestion.ts';
import { ProviderError } from '../providers/types.ts';
import { findVisibleJob } from './access/jobs.ts';
import { chatServer, resolveChatEndpoint } from './chatEndpoint.ts';
import { recordChatUsage } from './chatUsage.ts';
import { assertChatUsable } from './jobSummary.ts';
import { assertQuestionRate } from './rateLimit.ts';
import { redactionFor } from './access/redaction.ts';
import { redactedRows } from './redaction.ts';

/** Longest question, in characters. */
export const MAX_QUESTION_CHARS = 1000;

export interface TranscriptCitation {
  segmentIndex: number;
  start: number;
  end: number;
  text: string;
}

export interface TranscriptAnswerResult {
  jobId: string;
  question: string;
  answer: string;
  citations: TranscriptCitation[];
}

export async function askTranscript(deps: AppDeps, viewer: Viewer, jobId: string, rawQuestion: string): Promise<TranscriptAnswerResult> {
  const question = rawQuestion.replace(/\s+/g, ' ').trim();
  if (!question) throw badInput('Ask a question: it is empty.', 'question');
  if (question.length > MAX_QUESTION_CHARS) throw badInput(`The question is too long: at most ${MAX_QUESTION_CHARS} characters.`, 'question');
  const job = await findVisibleJob(deps, viewer, jobId);
  if (job.status !== 'COMPLETED') throw conflict(`Questions need a completed transcript: the job is ${job.status.toLowerCase()}.`);
  await assertChatUsable(deps, viewer.user.id, 'Questions');
  await assertQuestionRate(deps, viewer.user.id);
  // A reader of the redacted transcript asks about the redacted one: the chat endpoint never sees more.
  const redact = await redactionFor(deps.db, viewer, job);
  const segments = redactedRows(
    await deps.db.transcriptSegment.findMany({
      where: { jobId },
      orderBy: { idx: 'asc' },
      select: { idx: true, startSeconds: true, endSeconds: true, text: true, speaker: true, words: true, redaction: true },
    }),
    redact,
  ).map((s) => ({ index: s.idx, start: s.startSeconds, end: s.endSeconds, text: s.text, speaker: s.speaker }));
  const meter = new ChatMeter();
  let model = chatServer(deps.env).model;
  try {
    const endpoint = await resolveChatEndpoint(deps, viewer.user.id);
    model = endpoint.model;
    const result = await answerQuestion(segments, question, {
      ...endpoint,
      timeoutMs: deps.env.CHAT_TIMEOUT_MS,
      contextTokens: deps.env.CHAT_CONTEXT_TOKENS,
      meter,
    });
    const byIndex = new Map(segments.map((segment) => [segment.index, segment]));
    return {
      jobId,
      question,
      answer: result.answer,
      citations: result.citations.map((index) => {
        const segment = byIndex.get(index)!;
        return { segmentIndex: index, start: segment.start, end: segment.end, text: segment.text };
      }),
    };
  } catch (error) {
    throw questionError(deps, error);
  } finally {
    await recordChatUsage(deps, deps.db, { userId: viewer.user.id, projectId: job.projectId, jobId }, 'QUESTION', model, meter).catch((error: unknown) =>
      deps.logger.error({ err: error, jobId }, 'could not record the usage of a question'),
    );
  }
}

/** A typed error from the chat's failure, built from its kind and status only (no provider text). */
function questionError(deps: Pick<AppDeps, 'env' | 'logger'>, error: unknown): Error {
  if (!(error instanceof ProviderError)) return error instanceof Error ? error : new Error(String(error));
  deps.logger.warn({ kind: error.kind, status: error.details.status }, 'a question about a transcript failed');
  const { label, keyHint } = chatServer(deps.env);
  const status = error.details.status ? ` (HTTP ${error.details.status})` : '';
  switch (error.kind) {
    case 'bad_media':
      return badInput('The model declined to answer this question.', 'question');
    case 'auth':
      return new AppError(
        'PROVIDER_UNAVAILABLE',
        status ? `${label} rejected the key${status}: check the ${keyHint}.` : `No ${keyHint} is configured for questions: add one with setProviderKey.`,
      );
    case 'transient':
      return new AppError('UNAVAILABLE', `${label} could not be reached, timed out, was overloaded or answered unreadably${status}; try again later.`);
    case 'unavailable':
      return new AppError('PROVIDER_UNAVAILABLE', `${label} refused the request${status}.`);
  }
}
