import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';

/**
 * GraphQL multipart requests (the graphql-multipart-request-spec), parsed as a stream: each file
 * goes straight to a temporary file, never into memory, and is capped at `maxFileBytes`. The
 * operation is then executed as plain JSON, with each file replaced by a one-time token that the
 * `File` scalar turns back into a file-like object. Temporary files are removed when the request ends.
 */
interface StagedFile {
  name: string;
  type: string;
  size: number;
  /** A fresh stream of the staged bytes. */
  stream(): Readable;
}

const TOKEN_PREFIX = 'parlance-upload:';
const staged = new Map<string, StagedFile>();

/** The staged file for a token from this process's multipart parser, or undefined. */
export function stagedFile(token: unknown): StagedFile | undefined {
  return typeof token === 'string' && token.startsWith(TOKEN_PREFIX) ? staged.get(token) : undefined;
}

export class MultipartError extends Error {
  constructor(
    readonly status: number,
    readonly code: 'BAD_USER_INPUT' | 'PAYLOAD_TOO_LARGE',
    message: string,
  ) {
    super(message);
  }
}

export interface ParsedMultipart {
  /** The operation as JSON text, files replaced by tokens. */
  body: string;
  /** Removes the staged files; call when the request is done. */
  cleanup: () => Promise<void>;
}

const MAX_FILES = 5;
const MAX_FIELD_BYTES = 1024 * 1024;

export async function parseGraphqlMultipart(
  req: http.IncomingMessage,
  options: { maxFileBytes: number },
): Promise<ParsedMultipart> {
  const dir = path.join(os.tmpdir(), 'parlance-multipart', randomBytes(12).toString('hex'));
  await mkdir(dir, { recursive: true });
  const tokens: string[] = [];
  const cleanup = async () => {
    for (const token of tokens) staged.delete(token);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const fields = new Map<string, string>();
    const files = new Map<string, StagedFile>();
    const writes: Promise<void>[] = [];
    await new Promise<void>((resolve, reject) => {
      let busboy: BusboyInstance;
      try {
        busboy = new Busboy({
          headers: req.headers as BusboyHeaders,
          limits: { files: MAX_FILES, fileSize: options.maxFileBytes, fieldSize: MAX_FIELD_BYTES, fields: 10 },
        });
      } catch {
        reject(new MultipartError(400, 'BAD_USER_INPUT', 'Malformed multipart request.'));
        return;
      }
      busboy.on('field', (name, value, _nameTruncated, valueTruncated) => {
        if (valueTruncated) reject(new MultipartError(413, 'PAYLOAD_TOO_LARGE', `Field ${name} is too large.`));
        fields.set(name, value);
      });
      busboy.on('file', (name, stream, filename, _encoding, mimeType) => {
        const file = path.join(dir, String(files.size));
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
        });
        stream.on('limit', () => {
          reject(
            new MultipartError(
              413,
              'PAYLOAD_TOO_LARGE',
              `The file is larger than ${Math.round(options.maxFileBytes / 1024 / 1024)} MB; use a resumable upload (/uploads) for large files.`,
            ),
          );
          stream.resume();
        });
        writes.push(pipeline(stream, createWriteStream(file)));
        files.set(name, {
          name: filename || 'upload',
          type: mimeType || 'application/octet-stream',
          get size() {
            return size;
          },
          stream: () => createReadStream(file),
        });
      });
      busboy.on('filesLimit', () => reject(new MultipartError(413, 'PAYLOAD_TOO_LARGE', `At most ${MAX_FILES} files.`)));
      busboy.on('error', () => reject(new MultipartError(400, 'BAD_USER_INPUT', 'Malformed multipart request.')));
      busboy.on('finish', () => resolve());
      req.on('error', reject);
      req.pipe(busboy);
    });
    await Promise.all(writes);

    const operations = parseJsonField(fields.get('operations'), 'operations');
    const map = parseJsonField(fields.get('map'), 'map') as Record<string, unknown>;
    if (Array.isArray(operations) || typeof operations !== 'object' || operations === null) {
      throw new MultipartError(400, 'BAD_USER_INPUT', 'operations must be one operation object (batching is off).');
    }
    for (const [key, paths] of Object.entries(map)) {
      const file = files.get(key);
      if (!file) throw new MultipartError(400, 'BAD_USER_INPUT', `map names file "${key}", which was not sent.`);
      if (!Array.isArray(paths)) throw new MultipartError(400, 'BAD_USER_INPUT', 'map values must be arrays of paths.');
      const token = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
      staged.set(token, file);
      tokens.push(token);
      for (const target of paths) setPath(operations as Record<string, unknown>, String(target), token);
    }
    return { body: JSON.stringify(operations), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function parseJsonField(value: string | undefined, name: string): unknown {
  if (value === undefined) throw new MultipartError(400, 'BAD_USER_INPUT', `The multipart request has no "${name}" field.`);
  try {
    return JSON.parse(value);
  } catch {
    throw new MultipartError(400, 'BAD_USER_INPUT', `The "${name}" field is not valid JSON.`);
  }
}

function setPath(target: Record<string, unknown>, dotted: string, value: string): void {
  const keys = dotted.split('.');
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || key === '__proto__') {
      throw new MultipartError(400, 'BAD_USER_INPUT', `map path ${dotted} does not exist in operations.`);
    }
    node = next as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  if (!(last in node) || last === '__proto__') {
    throw new MultipartError(400, 'BAD_USER_INPUT', `map path ${dotted} does not exist in operations.`);
  }
  node[last] = value;
}
