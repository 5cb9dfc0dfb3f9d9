import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Yoga's own refusals of a body (errorStatus.ts renames their codes to ours). */
const tooLarge = () =>
  new GraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });
const badLength = () =>
  new GraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });

/** Only a single non-negative integer is a valid Content-Length (comma-joined values are a smuggling attempt). */
const CONTENT_LENGTH = /^\d+$/;

/**
 * Refuses a GraphQL request body over `maxBytes` (Yoga's `maxRequestBodySize`, which stays off):
 * by its Content-Length before reading it, else (a chunked body) while reading it. Yoga's own plugin
 * also pipes every body with a valid Content-Length through a counting stream, which costs a stream
 * pipeline per request (about a tenth of a small query's CPU); Node's HTTP parser never hands over
 * more than Content-Length bytes, so only bodies without one need counting.
 */
export function limitRequestBody(maxBytes: number): Plugin {
  return {
    onRequestParse: ({ request, requestParser, setRequestParser, fetchAPI }) => {
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null) {
        if (!CONTENT_LENGTH.test(contentLength)) throw badLength();
        if (Number(contentLength) > maxBytes) throw tooLarge();
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((unlimited) => parse(countedRequest(unlimited, maxBytes, fetchAPI)));
    },
  };
}

function countedRequest(request: Request, maxBytes: number, fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream }): Request {
  let bytesRead = 0;
  // A native body stream needs the native TransformStream (graphql-yoga issue 4583).
  const Transform = request.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  const counted = request.body!.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytesRead += chunk.byteLength;
        if (bytesRead > maxBytes) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: counted,
    duplex: 'half',
  } as RequestInit);
}
