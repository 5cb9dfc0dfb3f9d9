import { badInput } from '../../errors.ts';

export const WEBHOOK_EVENTS = ['job.completed', 'job.failed', 'recording.submitted', 'recording.reviewed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** The distinct, known event names of an endpoint's subscription; at least one. */
export function parseEvents(events: string[]): WebhookEventType[] {
  const unique = [...new Set(events.map((event) => event.trim()))];
  if (unique.length === 0) throw badInput('Choose at least one event.', 'events');
  const unknown = unique.filter((event) => !(WEBHOOK_EVENTS as readonly string[]).includes(event));
  if (unknown.length > 0) {
    throw badInput(`Unknown event ${unknown.map((e) => JSON.stringify(e)).join(', ')}; events are ${WEBHOOK_EVENTS.join(', ')}.`, 'events');
  }
  return unique as WebhookEventType[];
}
