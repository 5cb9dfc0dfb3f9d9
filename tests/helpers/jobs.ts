import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { GqlResult, TestApp } from './testApp.ts';

export const JOB_FIELDS = `id status progress provider model language detectedLanguage diarize filename
  mediaDurationSeconds error attempts text translatedText segments { index start end text speaker words { word start end confidence speaker } }`;

/** Sends createTranscriptionJob as a GraphQL multipart request with the file at `filePath`. */
export async function submitFile(
  t: TestApp,
  token: string,
  filePath: string,
  input: Record<string, unknown> = {},
  options: { filename?: string; fields?: string } = {},
): Promise<GqlResult> {
  const form = new FormData();
  form.set(
    'operations',
    JSON.stringify({
      query: `mutation ($input: CreateTranscriptionJobInput!) { createTranscriptionJob(input: $input) { ${options.fields ?? 'id status filename'} } }`,
      variables: { input: { ...input, file: null } },
    }),
  );
  form.set('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.set('0', new Blob([await readFile(filePath)]), options.filename ?? path.basename(filePath));
  // Through the real HTTP server, so the streaming multipart parser is what handles it.
  const base = await t.listen();
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'x-graphql-yoga-csrf': '1' },
    body: form,
  });
  const raw = await response.text();
  const body = JSON.parse(raw) as { data?: any; errors?: GqlResult['errors'] };
  return { status: response.status, data: body.data ?? null, errors: body.errors, raw };
}

/** Polls a job until its status is one of `statuses` (default: finished), or fails after `timeoutMs`. */
export async function waitForJob(
  t: TestApp,
  token: string,
  id: string,
  statuses: string[] = ['COMPLETED', 'FAILED', 'CANCELLED'],
  timeoutMs = 120_000,
): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await t.gql(`query ($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id }, { token });
    const job = result.data?.job;
    if (job && statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job?.status ?? 'missing'}: ${result.raw.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Every file stored under jobs/ by the app's local storage (to prove nothing was left behind). */
export async function storedJobFiles(t: TestApp): Promise<string[]> {
  const files: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await walk(path.join(folder, entry.name));
      else files.push(path.join(folder, entry.name));
    }
  };
  await walk(path.join(t.deps.env.storageDir, 'jobs'));
  return files;
}
