/**
 * The chat endpoint's usage: one chat_usage_records row per run (a summary, a question, a
 * translation, a sentiment analysis) with its requests, input and output tokens and estimated cost
 * (CHAT_PRICES over the defaults, services/pricing.ts). The provider is OPENAI: the protocol spoken,
 * whether to OpenAI or a server of one's own (CHAT_BASE_URL); the model says which.
 */
import type { CoreDeps } from '../context.ts';
import type { ChatPurpose, ChatUsageRecord, Prisma } from '../db/db.ts';
import { newId } from '../ids.ts';
import type { ChatMeter } from '../providers/chatJson.ts';
import { chatPrices, estimateChatCostUsd } from './pricing.ts';

type Db = Pick<Prisma.TransactionClient, 'chatUsageRecord'>;

export interface ChatUsageOwner {
  userId: string;
  projectId: string | null;
  jobId: string | null;
}

/** Writes what `meter` counted (nothing when it counted no request), in `db` (a transaction, or the client). */
export async function recordChatUsage(
  deps: Pick<CoreDeps, 'env'>,
  db: Db,
  owner: ChatUsageOwner,
  purpose: ChatPurpose,
  model: string,
  meter: ChatMeter,
): Promise<ChatUsageRecord | null> {
  if (meter.requests === 0) return null;
  return db.chatUsageRecord.create({
    data: {
      id: newId('ChatUsageRecord'),
      userId: owner.userId,
      projectId: owner.projectId,
      jobId: owner.jobId,
      purpose,
      provider: 'OPENAI',
      model,
      requests: meter.requests,
      inputTokens: meter.inputTokens,
      outputTokens: meter.outputTokens,
      costUsd: estimateChatCostUsd(chatPrices(deps.env.CHAT_PRICES), model, meter.inputTokens, meter.outputTokens),
    },
  });
}
