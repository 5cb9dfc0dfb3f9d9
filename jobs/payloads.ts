/** The payload assertions tasks start with; they live beside the queue (server/db/taskPayloads.ts). */
export * from '../server/db/taskPayloads.ts';
