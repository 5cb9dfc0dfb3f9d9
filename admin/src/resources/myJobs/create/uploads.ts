// Sending media to the API, each way with its progress: a small file in one GraphQL multipart
// request (createTranscriptionJob with `file`), a large one through tus at /uploads (resumable:
// retried after a dropped connection from the server's offset, and found again by its fingerprint
// when the same file is chosen after a reload), then createTranscriptionJob with its `uploadId`.
import type { Client } from '@urql/core';
import { print } from 'graphql';
import { Upload, type DetailedError, type UploadOptions } from 'tus-js-client';
import { ApiError, apiErrorFromResponse, unwrap } from '../../../api/client.ts';
import { CreateJobMutation } from '../../../api/operations.ts';
import type { CreateTranscriptionJobInput } from '../../../gql/graphql.ts';

/** Files from this size go through tus; smaller ones in one multipart request. */
export const RESUMABLE_FROM_BYTES = 8 * 1024 * 1024;
/** Each tus PATCH carries at most this much (proxies cap request bodies; a retry re-sends at most one chunk). */
const TUS_CHUNK_BYTES = 8 * 1024 * 1024;
/** Waits between tus retries after a failed request (then the upload fails and may be resumed by hand). */
const TUS_RETRY_DELAYS_MS = [0, 1_000, 3_000, 5_000, 10_000, 20_000];

/** What a job is asked to do, whatever its source. */
export type JobOptions = Omit<CreateTranscriptionJobInput, 'file' | 'uploadId' | 'url'>;

export interface Progress {
  /** Bytes the server has acknowledged (tus) or that left the browser (multipart). */
  sent: number;
  total: number;
}

export interface UploadCallbacks {
  onProgress: (progress: Progress) => void;
  /** tus found an earlier upload of this file (a dropped connection, a reload) and continues it. */
  onResumed?: () => void;
  /** tus lost a request and tries again (the upload goes on from the server's offset). */
  onRetry?: (error: Error, attempt: number) => void;
}

export interface Transfer {
  /** The created job's id. */
  done: Promise<{ id: string }>;
  /** Stops sending (a tus upload stays resumable). */
  abort: () => void;
}

type Token = () => Promise<string | null>;

/** The created job, or the API's error as an ApiError. */
export async function createJob(client: Client, input: CreateTranscriptionJobInput): Promise<{ id: string }> {
  const result = await client.mutation(CreateJobMutation, { input }).toPromise();
  return unwrap(result).createTranscriptionJob;
}

/** createTranscriptionJob with the file, as one GraphQL multipart request (XMLHttpRequest, for its upload progress). */
export function sendMultipart(file: File, options: JobOptions, token: Token, callbacks: UploadCallbacks): Transfer {
  const request = new XMLHttpRequest();
  const done = (async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: print(CreateJobMutation), variables: { input: { ...options, file: null } } }));
    form.set('map', JSON.stringify({ 0: ['variables.input.file'] }));
    form.set('0', file, file.name);
    const bearer = await token();
    return new Promise<{ id: string }>((resolve, reject) => {
      request.open('POST', '/graphql');
      if (bearer) request.setRequestHeader('authorization', `Bearer ${bearer}`);
      // Yoga's CSRF prevention: a multipart request must carry this header.
      request.setRequestHeader('x-graphql-yoga-csrf', '1');
      request.upload.onprogress = (event) => callbacks.onProgress({ sent: event.loaded, total: event.lengthComputable ? event.total : file.size });
      request.onerror = () => reject(new ApiError('The connection was lost while sending the file. Try again.', 'NETWORK_ERROR', 503));
      request.onabort = () => reject(new ApiError('Stopped.', 'ABORTED', 499));
      request.onload = () => {
        let body: { data?: { createTranscriptionJob?: { id: string } | null }; errors?: unknown } | null = null;
        try {
          body = JSON.parse(request.responseText);
        } catch {
          // not JSON: described by the status
        }
        const job = body?.data?.createTranscriptionJob;
        if (job && !body?.errors) resolve(job);
        else reject(apiErrorFromResponse(request.status, body));
      };
      request.send(form);
    });
  })();
  return { done, abort: () => request.abort() };
}

/**
 * The file through tus, then the job from the finished upload. The fingerprint names the user, the
 * file (name, size, type, last change) and the endpoint, so only the same user's same file resumes.
 */
export function sendResumable(
  client: Client,
  file: File,
  options: JobOptions,
  token: Token,
  userId: string,
  callbacks: UploadCallbacks,
): Transfer {
  let upload: Upload | null = null;
  const done = (async () => {
    const uploadId = await new Promise<string>((resolve, reject) => {
      const tusOptions: UploadOptions = {
        endpoint: '/uploads',
        chunkSize: TUS_CHUNK_BYTES,
        retryDelays: TUS_RETRY_DELAYS_MS,
        metadata: { filename: file.name, filetype: file.type },
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        fingerprint: async (input) => {
          const given = input as File;
          return ['parlance-tus', userId, given.name, given.size, given.type, given.lastModified, window.location.origin].join(':');
        },
        onBeforeRequest: async (request) => {
          const bearer = await token();
          if (bearer) request.setHeader('authorization', `Bearer ${bearer}`);
        },
        onProgress: (sent, total) => callbacks.onProgress({ sent, total }),
        onShouldRetry: (error, attempt) => {
          const status = error.originalResponse?.getStatus() ?? 0;
          // The server refused (not a lost connection): retrying will not help, except for a conflict of offsets.
          const retry = status === 0 || status >= 500 || status === 409 || status === 423;
          if (retry) callbacks.onRetry?.(error, attempt + 1);
          return retry;
        },
        onError: (error) => reject(tusError(error)),
        onSuccess: () => {
          const id = upload?.url?.split('/').pop();
          if (id) resolve(id);
          else reject(new ApiError('The upload finished without an address.', 'NO_DATA', 500));
        },
      };
      upload = new Upload(file, tusOptions);
      upload
        .findPreviousUploads()
        .then((previous) => {
          const latest = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
          if (latest) {
            upload!.resumeFromPreviousUpload(latest);
            callbacks.onResumed?.();
          }
          upload!.start();
        })
        .catch((error: Error) => reject(tusError(error)));
    });
    return createJob(client, { ...options, uploadId });
  })();
  return { done, abort: () => void upload?.abort() };
}

/** A tus failure with the server's message when it sent one (our error shape), else a plain description. */
function tusError(error: Error | DetailedError): ApiError {
  const response = 'originalResponse' in error ? error.originalResponse : null;
  if (response) {
    let body: unknown = null;
    try {
      body = JSON.parse(response.getBody());
    } catch {
      // tus's own text
    }
    const parsed = apiErrorFromResponse(response.getStatus(), body);
    if (parsed.code !== 'NETWORK_ERROR') return parsed;
    return new ApiError(`The upload was refused (${response.getStatus()}): ${response.getBody().slice(0, 200)}`, 'UPLOAD_REFUSED', response.getStatus());
  }
  return new ApiError(`The upload stopped: ${error.message.split('\n')[0]}. Choose the file again to resume.`, 'NETWORK_ERROR', 503);
}
