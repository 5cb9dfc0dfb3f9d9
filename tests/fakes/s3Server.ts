// Kept hand-written instead of s3rver 3.7.1 (last release 2021): it stores the SDK's aws-chunked stream bodies framing and all, its list continuation tokens fail on Node >= 17, it verifies no checksums and cannot fail a chosen request, all of which tests/storage.test.ts relies on.
/**
 * A stand-in for an S3-compatible object store: an HTTP server on 127.0.0.1 (path-style URLs,
 * http://127.0.0.1:<port>/<bucket>/<key>) that the real @aws-sdk/client-s3 and lib-storage talk to.
 * Objects live in memory. It speaks enough of the protocol to be strict where clients go wrong:
 *
 * - every request must carry an Authorization header (or a presigned X-Amz-Signature); signatures
 *   themselves are not verified;
 * - bodies sent with `content-encoding: aws-chunked` / `x-amz-content-sha256: STREAMING-…` are
 *   decoded (chunk framing, chunk-signature extensions, trailing checksums), and their length is
 *   checked against x-amz-decoded-content-length;
 * - Content-MD5, x-amz-content-sha256 and x-amz-checksum-{crc32,crc32c,sha1,sha256} (as headers or
 *   trailers) are verified; mismatches answer BadDigest / XAmzContentSHA256Mismatch;
 * - multipart uploads enforce the 5 MiB minimum part size, part ETags and, for uploads created with
 *   a checksum algorithm, per-part checksums, like S3 does.
 *
 * Operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, PutObject, GetObject (with
 * Range), HeadObject, DeleteObject, DeleteObjects, ListObjectsV2, CreateMultipartUpload,
 * UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts, ListMultipartUploads (the last two
 * for @tus/s3-store, which resumes from the parts S3 holds). Anything else answers 501.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

export interface FakeS3Object {
  body: Buffer;
  contentType: string;
  contentEncoding?: string;
  /** Quoted, as S3 sends it: "\"<md5>\"" or "\"<md5-of-md5s>-<parts>\"". */
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
  /** Algorithm ("crc32", "sha256", …) → base64 value, as given or computed at upload. */
  checksums: Record<string, string>;
  /** Set for objects assembled from a multipart upload. */
  partCount?: number;
}

export interface FakeS3Request {
  method: string;
  /** The S3 operation name, e.g. "PutObject", "UploadPart"; "Unknown" for what it could not route. */
  operation: string;
  bucket?: string;
  key?: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Whether the body came framed as aws-chunked (and was decoded). */
  awsChunked: boolean;
  /** Bytes of the decoded body. */
  bodyBytes: number;
  status: number;
  errorCode?: string;
}

export interface FakeS3Fault {
  /** Which operation to fail, e.g. "UploadPart". */
  operation: string;
  /** Only requests for this key (default: any). */
  key?: string;
  status?: number;
  code?: string;
  message?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface FakeS3Options {
  /** Buckets that exist from the start (default ["test-bucket"]). */
  buckets?: string[];
  /** The smallest part allowed for all but the last part of a multipart upload (S3: 5 MiB). */
  minPartSize?: number;
  /** Lists return at most this many entries per page whatever max-keys asks (S3 may return fewer). */
  listPageLimit?: number;
}

export interface FakeS3Server {
  /** "http://127.0.0.1:<port>", for the client's `endpoint` (with forcePathStyle: true). */
  endpoint: string;
  region: string;
  /** Dummy credentials the client can use. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every request served, in order. */
  readonly requests: FakeS3Request[];
  createBucket(name: string): void;
  /** The objects of a bucket, by key (live map). Throws for an unknown bucket. */
  objects(bucket: string): Map<string, FakeS3Object>;
  /** Sorted keys of a bucket. */
  keys(bucket: string): string[];
  /** Multipart uploads begun and neither completed nor aborted. */
  pendingUploads(bucket?: string): { bucket: string; key: string; uploadId: string; parts: number }[];
  /** Makes matching requests fail with an S3 error (default 500 InternalError), once unless `times`. */
  fail(fault: FakeS3Fault): void;
  close(): Promise<void>;
}

interface Part {
  body: Buffer;
  etag: string;
  checksums: Record<string, string>;
}

interface MultipartUpload {
  bucket: string;
  key: string;
  uploadId: string;
  contentType: string;
  metadata: Record<string, string>;
  checksumAlgorithm?: string;
  checksumType?: string;
  initiated: Date;
  parts: Map<number, Part & { lastModified: Date }>;
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
const DEFAULT_MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_KEYS = 1000;

/** The environment that points Parlance's `s3` storage driver at `bucket` on this fake. */
export function fakeS3StorageEnv(s3: Pick<FakeS3Server, 'endpoint' | 'region' | 'credentials'>, bucket: string): Record<string, string> {
  return {
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: bucket,
    S3_REGION: s3.region,
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  };
}

export async function startFakeS3(options: FakeS3Options = {}): Promise<FakeS3Server> {
  const buckets = new Map<string, Map<string, FakeS3Object>>();
  const uploads = new Map<string, MultipartUpload>();
  const requests: FakeS3Request[] = [];
  const faults: (FakeS3Fault & { remaining: number })[] = [];
  const minPartSize = options.minPartSize ?? DEFAULT_MIN_PART_SIZE;
  const pageLimit = Math.min(options.listPageLimit ?? MAX_KEYS, MAX_KEYS);
  for (const name of options.buckets ?? ['test-bucket']) buckets.set(name, new Map());

  const bucketOf = (name: string) => {
    const bucket = buckets.get(name);
    if (!bucket) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });
    return bucket;
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, req.method === 'HEAD', new S3Error(500, 'InternalError', String(error)));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams.entries());
    const segments = url.pathname.split('/').slice(1);
    const bucket = segments[0] ? decodeURIComponent(segments[0]) : undefined;
    const rawKey = segments.slice(1).join('/');
    const key = rawKey ? decodeURIComponent(rawKey) : undefined;
    const method = req.method ?? 'GET';
    const operation = operationOf(method, bucket, key, query, req.headers);
    const record: FakeS3Request = {
      method,
      operation,
      bucket,
      key,
      query,
      headers: req.headers,
      awsChunked: false,
      bodyBytes: 0,
      status: 0,
    };
    requests.push(record);
    const raw = await readAll(req);
    try {
      if (!req.headers.authorization && !url.searchParams.has('X-Amz-Signature')) {
        throw new S3Error(403, 'AccessDenied', 'Access Denied');
      }
      const fault = faults.find((f) => f.remaining > 0 && f.operation === operation && (!f.key || f.key === key));
      if (fault) {
        fault.remaining -= 1;
        throw new S3Error(fault.status ?? 500, fault.code ?? 'InternalError', fault.message ?? 'Injected failure.');
      }
      const { body, trailers, awsChunked } = decodeBody(raw, req.headers);
      record.awsChunked = awsChunked;
      record.bodyBytes = body.length;
      const reply = route(operation, { method, bucket, key, query, headers: req.headers, body, trailers });
      record.status = reply.status;
      res.writeHead(reply.status, { 'x-amz-request-id': requestId(), ...reply.headers });
      res.end(method === 'HEAD' ? undefined : reply.body);
    } catch (error) {
      const s3Error = error instanceof S3Error ? error : new S3Error(500, 'InternalError', String(error));
      record.status = s3Error.status;
      record.errorCode = s3Error.code;
      sendError(res, method === 'HEAD', s3Error, bucket && key ? `/${bucket}/${key}` : bucket ? `/${bucket}` : '/');
    }
  }

  interface Call {
    method: string;
    bucket?: string;
    key?: string;
    query: Record<string, string>;
    headers: IncomingHttpHeaders;
    body: Buffer;
    trailers: Record<string, string>;
  }
  interface Reply {
    status: number;
    headers?: Record<string, string | number>;
    body?: string | Buffer;
  }

  function route(operation: string, call: Call): Reply {
    switch (operation) {
      case 'ListBuckets':
        return xml(
          'ListAllMyBucketsResult',
          `<Owner><ID>fake</ID><DisplayName>fake</DisplayName></Owner><Buckets>${[...buckets.keys()]
            .map((name) => `<Bucket><Name>${esc(name)}</Name><CreationDate>${new Date(0).toISOString()}</CreationDate></Bucket>`)
            .join('')}</Buckets>`,
        );
      case 'CreateBucket':
        if (buckets.has(call.bucket!)) {
          throw new S3Error(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.');
        }
        buckets.set(call.bucket!, new Map());
        return { status: 200, headers: { location: `/${call.bucket}` } };
      case 'HeadBucket':
        bucketOf(call.bucket!);
        return { status: 200 };
      case 'DeleteBucket':
        if (bucketOf(call.bucket!).size > 0) throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty');
        buckets.delete(call.bucket!);
        return { status: 204 };
      case 'ListObjectsV2':
        return listObjectsV2(call);
      case 'DeleteObjects':
        return deleteObjects(call);
      case 'PutObject':
        return putObject(call);
      case 'GetObject':
      case 'HeadObject':
        return getObject(call);
      case 'DeleteObject':
        bucketOf(call.bucket!).delete(call.key!);
        return { status: 204 };
      case 'CreateMultipartUpload':
        return createMultipartUpload(call);
      case 'UploadPart':
        return uploadPart(call);
      case 'CompleteMultipartUpload':
        return completeMultipartUpload(call);
      case 'ListParts':
        return listParts(call);
      case 'ListMultipartUploads':
        return listMultipartUploads(call);
      case 'AbortMultipartUpload':
        uploadOf(call);
        uploads.delete(call.query.uploadId);
        return { status: 204 };
      default:
        throw new S3Error(501, 'NotImplemented', `The fake S3 server does not implement ${call.method} ${operation}.`);
    }
  }

  function putObject(call: Call): Reply {
    const bucket = bucketOf(call.bucket!);
    if (call.headers['x-amz-copy-source']) throw new S3Error(501, 'NotImplemented', 'CopyObject is not implemented.');
    const checksums = verifyChecksums(call.body, call.headers, call.trailers);
    const etag = quotedMd5(call.body);
    const object: FakeS3Object = {
      body: call.body,
      contentType: header(call.headers, 'content-type') ?? 'binary/octet-stream',
      contentEncoding: storedContentEncoding(call.headers),
      etag,
      lastModified: new Date(),
      metadata: userMetadata(call.headers),
      checksums,
    };
    bucket.set(call.key!, object);
    return { status: 200, headers: { etag, ...checksumHeaders(checksums) } };
  }

  function getObject(call: Call): Reply {
    const object = bucketOf(call.bucket!).get(call.key!);
    if (!object) {
      // HEAD carries no body, so real S3 (and so the SDK) can only say 404 Not Found.
      if (call.method === 'HEAD') throw new S3Error(404, 'NotFound', 'Not Found');
      throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: call.key! });
    }
    const ifNoneMatch = header(call.headers, 'if-none-match');
    if (ifNoneMatch && (ifNoneMatch === '*' || ifNoneMatch === object.etag)) return { status: 304, headers: { etag: object.etag } };
    const ifMatch = header(call.headers, 'if-match');
    if (ifMatch && ifMatch !== '*' && ifMatch !== object.etag) {
      throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    }
    const size = object.body.length;
    const headers: Record<string, string | number> = {
      'content-type': object.contentType,
      'content-length': size,
      etag: object.etag,
      'last-modified': object.lastModified.toUTCString(),
      'accept-ranges': 'bytes',
    };
    if (object.contentEncoding) headers['content-encoding'] = object.contentEncoding;
    for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
    if (object.partCount) headers['x-amz-mp-parts-count'] = object.partCount;
    const range = header(call.headers, 'range');
    if (range) {
      const match = /^bytes=(\d*)-(\d*)$/.exec(range);
      let start = NaN;
      let end = NaN;
      if (match && match[1] !== '') {
        start = Number(match[1]);
        end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
      } else if (match && match[2] !== '') {
        start = Math.max(0, size - Number(match[2]));
        end = size - 1;
      }
      if (match && (Number.isNaN(start) || start >= size || end < start)) {
        throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: range });
      }
      if (match) {
        headers['content-range'] = `bytes ${start}-${end}/${size}`;
        headers['content-length'] = end - start + 1;
        return { status: 206, headers, body: object.body.subarray(start, end + 1) };
      }
    }
    // Like S3: checksums are returned only when asked for, and the SDK asks for them by default.
    if (header(call.headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
      Object.assign(headers, checksumHeaders(object.checksums));
    }
    return { status: 200, headers, body: object.body };
  }

  function listObjectsV2(call: Call): Reply {
    const bucket = bucketOf(call.bucket!);
    const { query } = call;
    const prefix = query.prefix ?? '';
    const delimiter = query.delimiter ?? '';
    const encode = query['encoding-type'] === 'url';
    const maxKeys = query['max-keys'] === undefined ? MAX_KEYS : Number(query['max-keys']);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new S3Error(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
    let after = query['start-after'] ?? '';
    if (query['continuation-token'] !== undefined) {
      const decoded = Buffer.from(query['continuation-token'], 'base64url').toString('utf8');
      if (!decoded.startsWith('fake:')) throw new S3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect');
      after = decoded.slice(5);
    }
    const limit = Math.min(maxKeys, pageLimit);
    const contents: [string, FakeS3Object][] = [];
    const commonPrefixes: string[] = [];
    let truncated = false;
    let last = '';
    for (const name of [...bucket.keys()].sort(compareKeys)) {
      if (!name.startsWith(prefix) || compareKeys(name, after) <= 0) continue;
      const rolled = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
      const common = rolled >= 0 ? name.slice(0, rolled + delimiter.length) : undefined;
      if (common && commonPrefixes.at(-1) === common) continue;
      if (contents.length + commonPrefixes.length >= limit) {
        truncated = true;
        break;
      }
      if (common) {
        commonPrefixes.push(common);
        // Resume after every key under this common prefix.
        last = `${common}\u{10FFFF}`;
      } else {
        contents.push([name, bucket.get(name)!]);
        last = name;
      }
    }
    const enc = (value: string) => esc(encode ? encodeURIComponent(value).replace(/%2F/g, '/') : value);
    const parts = [
      `<Name>${esc(call.bucket!)}</Name>`,
      `<Prefix>${enc(prefix)}</Prefix>`,
      delimiter ? `<Delimiter>${enc(delimiter)}</Delimiter>` : '',
      `<MaxKeys>${maxKeys}</MaxKeys>`,
      encode ? '<EncodingType>url</EncodingType>' : '',
      `<KeyCount>${contents.length + commonPrefixes.length}</KeyCount>`,
      `<IsTruncated>${truncated}</IsTruncated>`,
      query['continuation-token'] !== undefined ? `<ContinuationToken>${esc(query['continuation-token'])}</ContinuationToken>` : '',
      truncated ? `<NextContinuationToken>${Buffer.from(`fake:${last}`).toString('base64url')}</NextContinuationToken>` : '',
      query['start-after'] !== undefined ? `<StartAfter>${enc(query['start-after'])}</StartAfter>` : '',
      ...contents.map(
        ([name, object]) =>
          `<Contents><Key>${enc(name)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified>` +
          `<ETag>${esc(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      ),
      ...commonPrefixes.map((common) => `<CommonPrefixes><Prefix>${enc(common)}</Prefix></CommonPrefixes>`),
    ];
    return xml('ListBucketResult', parts.join(''));
  }

  function deleteObjects(call: Call): Reply {
    const bucket = bucketOf(call.bucket!);
    if (!header(call.headers, 'content-md5') && !CHECKSUM_ALGORITHMS.some((alg) => header(call.headers, `x-amz-checksum-${alg}`))) {
      throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*');
    }
    verifyChecksums(call.body, call.headers, call.trailers);
    const text = call.body.toString('utf8');
    if (!/<Delete[\s>]/.test(text)) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(text);
    const objects = [...text.matchAll(/<Object>([\s\S]*?)<\/Object>/g)].map((m) => unesc(/<Key>([\s\S]*?)<\/Key>/.exec(m[1])?.[1] ?? ''));
    if (objects.length === 0 || objects.length > 1000) {
      throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    for (const name of objects) bucket.delete(name);
    const deleted = quiet ? '' : objects.map((name) => `<Deleted><Key>${esc(name)}</Key></Deleted>`).join('');
    return xml('DeleteResult', deleted);
  }

  function createMultipartUpload(call: Call): Reply {
    bucketOf(call.bucket!);
    const uploadId = randomBytes(16).toString('base64url');
    const checksumAlgorithm = header(call.headers, 'x-amz-checksum-algorithm')?.toLowerCase();
    if (checksumAlgorithm && !(CHECKSUM_ALGORITHMS as readonly string[]).includes(checksumAlgorithm)) {
      throw new S3Error(400, 'InvalidRequest', `Checksum algorithm ${checksumAlgorithm} is not supported.`);
    }
    uploads.set(uploadId, {
      bucket: call.bucket!,
      key: call.key!,
      uploadId,
      contentType: header(call.headers, 'content-type') ?? 'binary/octet-stream',
      metadata: userMetadata(call.headers),
      checksumAlgorithm,
      checksumType: header(call.headers, 'x-amz-checksum-type')?.toUpperCase(),
      initiated: new Date(),
      parts: new Map(),
    });
    const headers: Record<string, string> = {};
    if (checksumAlgorithm) headers['x-amz-checksum-algorithm'] = checksumAlgorithm.toUpperCase();
    return xml(
      'InitiateMultipartUploadResult',
      `<Bucket>${esc(call.bucket!)}</Bucket><Key>${esc(call.key!)}</Key><UploadId>${uploadId}</UploadId>`,
      headers,
    );
  }

  function uploadOf(call: Call): MultipartUpload {
    const upload = uploads.get(call.query.uploadId);
    if (!upload || upload.bucket !== call.bucket || upload.key !== call.key) {
      throw new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', {
        UploadId: call.query.uploadId,
      });
    }
    return upload;
  }

  function uploadPart(call: Call): Reply {
    const upload = uploadOf(call);
    const partNumber = Number(call.query.partNumber);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw new S3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
    }
    if (call.headers['x-amz-copy-source']) throw new S3Error(501, 'NotImplemented', 'UploadPartCopy is not implemented.');
    const checksums = verifyChecksums(call.body, call.headers, call.trailers);
    if (upload.checksumAlgorithm && !checksums[upload.checksumAlgorithm]) {
      throw new S3Error(400, 'InvalidRequest', `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm}, actual checksum Type: null`);
    }
    const etag = quotedMd5(call.body);
    upload.parts.set(partNumber, { body: call.body, etag, checksums, lastModified: new Date() });
    return { status: 200, headers: { etag, ...checksumHeaders(checksums) } };
  }

  function listParts(call: Call): Reply {
    const upload = uploadOf(call);
    const marker = Number(call.query['part-number-marker'] ?? 0);
    const maxParts = Math.min(Number(call.query['max-parts'] ?? MAX_KEYS), pageLimit);
    const numbers = [...upload.parts.keys()].filter((n) => n > marker).sort((a, b) => a - b);
    const page = numbers.slice(0, maxParts);
    const truncated = numbers.length > page.length;
    const parts = page.map((n) => {
      const part = upload.parts.get(n)!;
      return `<Part><PartNumber>${n}</PartNumber><LastModified>${part.lastModified.toISOString()}</LastModified><ETag>${esc(part.etag)}</ETag><Size>${part.body.length}</Size></Part>`;
    });
    return xml(
      'ListPartsResult',
      `<Bucket>${esc(upload.bucket)}</Bucket><Key>${esc(upload.key)}</Key><UploadId>${upload.uploadId}</UploadId>` +
        `<PartNumberMarker>${marker}</PartNumberMarker><MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated>` +
        (truncated ? `<NextPartNumberMarker>${page.at(-1)}</NextPartNumberMarker>` : '') +
        parts.join(''),
    );
  }

  function listMultipartUploads(call: Call): Reply {
    bucketOf(call.bucket!);
    const prefix = call.query.prefix ?? '';
    const keyMarker = call.query['key-marker'] ?? '';
    const idMarker = call.query['upload-id-marker'] ?? '';
    const maxUploads = Math.min(Number(call.query['max-uploads'] ?? MAX_KEYS), pageLimit);
    const after = (u: MultipartUpload) => {
      const byKey = compareKeys(u.key, keyMarker);
      return byKey > 0 || (byKey === 0 && idMarker !== '' && u.uploadId > idMarker);
    };
    const all = [...uploads.values()]
      .filter((u) => u.bucket === call.bucket && u.key.startsWith(prefix) && (keyMarker === '' || after(u)))
      .sort((a, b) => compareKeys(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0));
    const page = all.slice(0, maxUploads);
    const truncated = all.length > page.length;
    const last = page.at(-1);
    return xml(
      'ListMultipartUploadsResult',
      `<Bucket>${esc(call.bucket!)}</Bucket><KeyMarker>${esc(keyMarker)}</KeyMarker><UploadIdMarker>${esc(idMarker)}</UploadIdMarker>` +
        `<Prefix>${esc(prefix)}</Prefix><MaxUploads>${maxUploads}</MaxUploads><IsTruncated>${truncated}</IsTruncated>` +
        (truncated && last ? `<NextKeyMarker>${esc(last.key)}</NextKeyMarker><NextUploadIdMarker>${last.uploadId}</NextUploadIdMarker>` : '') +
        page
          .map((u) => `<Upload><Key>${esc(u.key)}</Key><UploadId>${u.uploadId}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`)
          .join(''),
    );
  }

  function completeMultipartUpload(call: Call): Reply {
    const upload = uploadOf(call);
    const text = call.body.toString('utf8');
    const requested = [...text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => {
      const field = (name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(m[1])?.[1];
      return {
        partNumber: Number(field('PartNumber')),
        etag: unesc(String(field('ETag') ?? '')),
        checksums: Object.fromEntries(
          CHECKSUM_ALGORITHMS.flatMap((alg) => {
            const value = field(`Checksum${alg.toUpperCase()}`);
            return typeof value === 'string' ? [[alg, value.trim()]] : [];
          }),
        ) as Record<string, string>,
      };
    });
    if (requested.length === 0) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    const chosen: Part[] = [];
    requested.forEach((want, index) => {
      if (index > 0 && want.partNumber <= requested[index - 1].partNumber) {
        throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
      }
      const part = upload.parts.get(want.partNumber);
      const etag = want.etag.startsWith('"') ? want.etag : `"${want.etag}"`;
      if (!part || part.etag !== etag) {
        throw new S3Error(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.');
      }
      if (upload.checksumAlgorithm && want.checksums[upload.checksumAlgorithm] === undefined) {
        throw new S3Error(400, 'InvalidRequest', `The upload was created using a ${upload.checksumAlgorithm} checksum. The complete request must include the checksum for each part. It was missing for part ${want.partNumber} in the request.`);
      }
      for (const [alg, value] of Object.entries(want.checksums)) {
        if (part.checksums[alg] !== value) {
          throw new S3Error(400, 'InvalidPart', `The ${alg} checksum of part ${want.partNumber} does not match the uploaded part.`);
        }
      }
      if (index < requested.length - 1 && part.body.length < minPartSize) {
        throw new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
          ProposedSize: String(part.body.length),
          MinSizeAllowed: String(minPartSize),
          PartNumber: String(want.partNumber),
        });
      }
      chosen.push(part);
    });
    const body = Buffer.concat(chosen.map((part) => part.body));
    const etag = `"${createHash('md5')
      .update(Buffer.concat(chosen.map((part) => Buffer.from(part.etag.slice(1, -1), 'hex'))))
      .digest('hex')}-${chosen.length}"`;
    const checksums: Record<string, string> = {};
    const alg = upload.checksumAlgorithm;
    if (alg && alg !== 'crc64nvme' && upload.checksumType !== 'FULL_OBJECT') {
      // COMPOSITE: the checksum of the concatenated binary part checksums, suffixed with the part count.
      const joined = Buffer.concat(chosen.map((part) => Buffer.from(part.checksums[alg], 'base64')));
      checksums[alg] = `${computeChecksum(alg, joined)}-${chosen.length}`;
    } else if (alg && alg !== 'crc64nvme') {
      checksums[alg] = computeChecksum(alg, body);
    }
    const object: FakeS3Object = {
      body,
      contentType: upload.contentType,
      etag,
      lastModified: new Date(),
      metadata: upload.metadata,
      checksums,
      partCount: chosen.length,
    };
    bucketOf(upload.bucket).set(upload.key, object);
    uploads.delete(upload.uploadId);
    const checksumXml = Object.entries(checksums)
      .map(([name, value]) => `<Checksum${name.toUpperCase()}>${value}</Checksum${name.toUpperCase()}>`)
      .join('');
    return xml(
      'CompleteMultipartUploadResult',
      `<Location>${esc(`${endpoint}/${upload.bucket}/${upload.key}`)}</Location><Bucket>${esc(upload.bucket)}</Bucket>` +
        `<Key>${esc(upload.key)}</Key><ETag>${esc(etag)}</ETag>${checksumXml}` +
        (alg ? `<ChecksumType>${upload.checksumType === 'FULL_OBJECT' ? 'FULL_OBJECT' : 'COMPOSITE'}</ChecksumType>` : ''),
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'FAKEACCESSKEY', secretAccessKey: 'fake-secret-access-key' },
    requests,
    createBucket(name) {
      if (!buckets.has(name)) buckets.set(name, new Map());
    },
    objects: (bucket) => bucketOf(bucket),
    keys: (bucket) => [...bucketOf(bucket).keys()].sort(compareKeys),
    pendingUploads: (bucket) =>
      [...uploads.values()]
        .filter((upload) => !bucket || upload.bucket === bucket)
        .map(({ bucket: name, key, uploadId, parts }) => ({ bucket: name, key, uploadId, parts: parts.size })),
    fail(fault) {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function operationOf(
  method: string,
  bucket: string | undefined,
  key: string | undefined,
  query: Record<string, string>,
  headers: IncomingHttpHeaders,
): string {
  if (!bucket) return method === 'GET' ? 'ListBuckets' : 'Unknown';
  if (key === undefined) {
    const plain = Object.keys(query).every((name) => name === 'x-id');
    if (method === 'PUT' && plain) return 'CreateBucket';
    if (method === 'HEAD') return 'HeadBucket';
    if (method === 'DELETE' && plain) return 'DeleteBucket';
    if (method === 'GET' && query['list-type'] === '2') return 'ListObjectsV2';
    if (method === 'POST' && 'delete' in query) return 'DeleteObjects';
    if (method === 'GET' && 'uploads' in query) return 'ListMultipartUploads';
    return 'Unknown';
  }
  switch (method) {
    case 'PUT':
      if ('uploadId' in query && 'partNumber' in query) return 'UploadPart';
      if (Object.keys(query).some((name) => !name.startsWith('X-Amz-') && name !== 'x-id')) return 'Unknown';
      return headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
    case 'GET':
      if ('uploadId' in query) return 'ListParts';
      return Object.keys(query).some((name) => !name.startsWith('X-Amz-') && !name.startsWith('response-') && name !== 'x-id' && name !== 'partNumber')
        ? 'Unknown'
        : 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      return 'uploadId' in query ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if ('uploads' in query) return 'CreateMultipartUpload';
      if ('uploadId' in query) return 'CompleteMultipartUpload';
      return 'Unknown';
    default:
      return 'Unknown';
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Undoes aws-chunked framing: `<hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n` … `0[;…]\r\n`,
 * then optional trailer lines (`x-amz-checksum-crc32:<b64>\r\n`, `x-amz-trailer-signature:…`) and
 * a final empty line.
 */
export function decodeAwsChunked(raw: Buffer, signed = false): { body: Buffer; trailers: Record<string, string> } {
  const malformed = () => new S3Error(400, 'IncompleteBody', 'The request body is not valid aws-chunked encoding.');
  const chunks: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) throw malformed();
    const [sizeText, ...extensions] = raw.subarray(pos, eol).toString('latin1').split(';');
    if (!/^[0-9a-fA-F]+$/.test(sizeText.trim())) throw malformed();
    if (signed && !extensions.some((ext) => ext.startsWith('chunk-signature='))) {
      throw new S3Error(400, 'InvalidRequest', 'Missing chunk-signature in a signed streaming payload.');
    }
    const size = parseInt(sizeText, 16);
    pos = eol + 2;
    if (size === 0) break;
    if (pos + size + 2 > raw.length || raw[pos + size] !== 0x0d || raw[pos + size + 1] !== 0x0a) throw malformed();
    chunks.push(raw.subarray(pos, pos + size));
    pos += size + 2;
  }
  const trailers: Record<string, string> = {};
  while (pos < raw.length) {
    let eol = raw.indexOf('\r\n', pos);
    if (eol < 0) eol = raw.length;
    const line = raw.subarray(pos, eol).toString('latin1');
    pos = eol + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon < 0) throw malformed();
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(chunks), trailers };
}

function decodeBody(raw: Buffer, headers: IncomingHttpHeaders): { body: Buffer; trailers: Record<string, string>; awsChunked: boolean } {
  const contentSha = header(headers, 'x-amz-content-sha256') ?? '';
  const encodings = (header(headers, 'content-encoding') ?? '').split(',').map((item) => item.trim().toLowerCase());
  const awsChunked = encodings.includes('aws-chunked') || contentSha.startsWith('STREAMING-');
  if (!awsChunked) {
    if (/^[0-9a-f]{64}$/.test(contentSha) && createHash('sha256').update(raw).digest('hex') !== contentSha) {
      throw new S3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    return { body: raw, trailers: {}, awsChunked };
  }
  const signed = contentSha.startsWith('STREAMING-AWS4-');
  const { body, trailers } = decodeAwsChunked(raw, signed);
  const declared = header(headers, 'x-amz-decoded-content-length');
  if (declared === undefined) {
    throw new S3Error(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header (x-amz-decoded-content-length).');
  }
  if (Number(declared) !== body.length) {
    throw new S3Error(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
  }
  const announced = (header(headers, 'x-amz-trailer') ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
  for (const name of announced) {
    if (trailers[name] === undefined) throw new S3Error(400, 'MalformedTrailerError', `The request did not carry the announced trailer ${name}.`);
  }
  return { body, trailers, awsChunked };
}

function verifyChecksums(body: Buffer, headers: IncomingHttpHeaders, trailers: Record<string, string>): Record<string, string> {
  const md5 = header(headers, 'content-md5');
  if (md5 && createHash('md5').update(body).digest('base64') !== md5) {
    throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  const checksums: Record<string, string> = {};
  for (const alg of CHECKSUM_ALGORITHMS) {
    const given = trailers[`x-amz-checksum-${alg}`] ?? header(headers, `x-amz-checksum-${alg}`);
    if (given === undefined) continue;
    if (alg !== 'crc64nvme' && computeChecksum(alg, body) !== given) {
      throw new S3Error(400, 'BadDigest', `The ${alg.toUpperCase()} you specified did not match the calculated checksum.`);
    }
    checksums[alg] = given;
  }
  return checksums;
}

function computeChecksum(alg: string, data: Buffer): string {
  switch (alg) {
    case 'crc32':
      return uint32(crc32(data));
    case 'crc32c':
      return uint32(crc32c(data));
    case 'sha1':
    case 'sha256':
      return createHash(alg).update(data).digest('base64');
    default:
      throw new Error(`No checksum function for ${alg}.`);
  }
}

function uint32(value: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out.toString('base64');
}

let crc32cTable: Uint32Array | undefined;
function crc32c(data: Buffer): number {
  if (!crc32cTable) {
    crc32cTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      crc32cTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crc32cTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function checksumHeaders(checksums: Record<string, string>): Record<string, string> {
  const headers = Object.fromEntries(Object.entries(checksums).map(([alg, value]) => [`x-amz-checksum-${alg}`, value]));
  if (Object.keys(checksums).length > 0) {
    headers['x-amz-checksum-type'] = Object.values(checksums).some((value) => /-\d+$/.test(value)) ? 'COMPOSITE' : 'FULL_OBJECT';
  }
  return headers;
}

function storedContentEncoding(headers: IncomingHttpHeaders): string | undefined {
  const kept = (header(headers, 'content-encoding') ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item && item.toLowerCase() !== 'aws-chunked');
  return kept.length > 0 ? kept.join(',') : undefined;
}

function userMetadata(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => name.startsWith('x-amz-meta-'))
      .map(([name, value]) => [name.slice('x-amz-meta-'.length), Array.isArray(value) ? value.join(',') : String(value)]),
  );
}

const quotedMd5 = (data: Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;
const requestId = () => randomBytes(8).toString('hex').toUpperCase();
/** S3 orders keys by their UTF-8 bytes. */
const compareKeys = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function unesc(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[name];
  });
}

function xml(root: string, inner: string, headers: Record<string, string> = {}): { status: number; headers: Record<string, string>; body: string } {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...headers },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`,
  };
}

function sendError(res: ServerResponse, head: boolean, error: S3Error, resource = '/') {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const id = requestId();
  const extra = Object.entries(error.extra)
    .map(([name, value]) => `<${name}>${esc(value)}</${name}>`)
    .join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${esc(error.message)}</Message>${extra}<Resource>${esc(resource)}</Resource><RequestId>${id}</RequestId></Error>`;
  res.writeHead(error.status, { 'content-type': 'application/xml', 'x-amz-request-id': id, ...(head ? {} : { 'content-length': Buffer.byteLength(body) }) });
  res.end(head ? undefined : body);
}
