/**
 * Work shared among the subscribers that receive one event. The subscriber (pubsub.ts) hands every
 * stream of a topic the same payload object for one published event, so what each subscription
 * would otherwise repeat for it (re-checking a credential, reading the row it names, building what
 * one visibility class sees, executing a selection over that) is done once per key and event.
 *
 * Answers live exactly as long as the event object (a WeakMap): nothing accumulates, and a later
 * event never reuses an earlier one's answer, so a right revoked between two events stops the
 * second. A rejected promise is shared too: every subscriber of that event gets the same refusal.
 */
const answers = new WeakMap<object, Map<string, unknown>>();

export function sharedForEvent<T>(event: object, key: string, make: () => T): T {
  let byKey = answers.get(event);
  if (!byKey) answers.set(event, (byKey = new Map()));
  if (byKey.has(key)) return byKey.get(key) as T;
  const value = make();
  byKey.set(key, value);
  return value;
}

/**
 * A read for one event, started by its first subscriber and awaited by the rest. Streams start it
 * before checking the subscriber's right to it, so the reads run side by side; one that is never
 * awaited (the subscriber may not see the event) does not become an unhandled rejection.
 */
export function sharedRead<T>(event: object, key: string, load: () => Promise<T>): Promise<T> {
  return sharedForEvent(event, `read:${key}`, () => {
    const read = load();
    read.catch(() => {});
    return read;
  });
}

const shareable = new WeakSet<object>();

/**
 * The payload one visibility class of an event's subscribers gets, built once and marked shareable:
 * GraphQL execution (http/sharedSubscriptionResults.ts) then runs once per selection for it and
 * hands every subscriber the same result.
 *
 * The contract: `visibility` must capture everything that makes one viewer's result differ from
 * another's for this payload, as the one rule that decides it says (e.g. the redaction kinds
 * services/access/redaction.ts gives), and the payload's type must have no field whose resolver
 * reads the viewer. Call it only after the subscriber's right to this event was checked.
 */
export function sharedPayload<T extends object>(event: object, visibility: string, build: () => T): T {
  return sharedForEvent(event, `payload:${visibility}`, () => {
    const payload = build();
    shareable.add(payload);
    return payload;
  });
}

export function isSharedPayload(value: unknown): value is object {
  return typeof value === 'object' && value !== null && shareable.has(value);
}
