/**
 * A protocol-faithful fake of Google Cloud Translation's REST API, v2 ("basic"), on loopback:
 *
 * - `POST /language/translate/v2` with the API key as the `key` query parameter (or the
 *   `X-Goog-Api-Key` header), a JSON or form-encoded body of `q` (one string or many), `target`,
 *   optional `source`, `format` (`text` | `html`, default html) and `model`; answers
 *   `{"data":{"translations":[{"translatedText","detectedSourceLanguage"?}]}}`, one translation per
 *   `q` in order (`detectedSourceLanguage` only when no `source` was given).
 * - Errors in Google's shape: `{"error":{"code","message","errors":[{message,domain,reason}],"status"}}`:
 *   no key 403 PERMISSION_DENIED, an unknown key 400 INVALID_ARGUMENT (API_KEY_INVALID), a blocked key
 *   403 PERMISSION_DENIED quoting the key, a missing `q` or `target` 400 "Required …", an unknown
 *   language 400 "Invalid Value", more than 128 strings 400 "Too many text segments".
 *
 * The test scripts the translation (`setTranslator`), failures (`failNext`, `dropNext`) and reads
 * what arrived (`translations`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headerValue, Interceptors, playInterceptor, readBody, type RecordedRequest } from './httpFake.ts';

export interface RecordedTranslation {
  q: string[];
  target: string;
  source: string | null;
  format: string;
  model: string | null;
  key: string | null;
}

export type GoogleTranslator = (text: string, request: RecordedTranslation) => string;

export interface FakeGoogleTranslateServer {
  /** `http://127.0.0.1:<port>`: what GOOGLE_TRANSLATE_BASE_URL takes. */
  origin: string;
  apiKey: string;
  translations: RecordedTranslation[];
  requests: RecordedRequest[];
  setTranslator(translator: GoogleTranslator): void;
  /** Requests with this key are refused with 403 PERMISSION_DENIED (a message that quotes the key). */
  blockKey(key: string): void;
  /** The next `times` requests answer `status` with Google's error body for it. */
  failNext(status: number, times?: number): void;
  dropNext(times?: number): void;
  reset(): void;
  close(): Promise<void>;
}

const PATH = '/language/translate/v2';
/** The languages the fake knows (Google's list is longer; enough to tell a bad code from a good one). */
const LANGUAGES = new Set(['af', 'ar', 'de', 'el', 'en', 'es', 'fr', 'he', 'hi', 'it', 'ja', 'ko', 'nl', 'pl', 'pt', 'ru', 'sv', 'tr', 'uk', 'zh', 'zh-CN', 'zh-TW']);
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export async function startFakeGoogleTranslate(options: { apiKey?: string } = {}): Promise<FakeGoogleTranslateServer> {
  const apiKey = options.apiKey ?? `AIza${randomBytes(16).toString('base64url')}`;
  let translator: GoogleTranslator = (text, request) => `[${request.target}] ${text}`;
  const blocked = new Set<string>();
  const interceptors = new Interceptors();
  const translations: RecordedTranslation[] = [];
  const requests: RecordedRequest[] = [];

  function send(res: ServerResponse, record: RecordedRequest, status: number, body: unknown) {
    record.status = status;
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', vary: 'Origin, X-Origin, Referer' });
    res.end(JSON.stringify(body));
  }

  function sendError(
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    message: string,
    reason: string,
    extra: { domain?: string; details?: unknown[] } = {},
  ) {
    send(res, record, status, {
      error: {
        code: status,
        message,
        errors: [{ message, domain: extra.domain ?? 'global', reason }],
        status: STATUS_NAMES[status] ?? 'UNKNOWN',
        ...(extra.details ? { details: extra.details } : {}),
      },
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, status: 0 };
    requests.push(record);
    const body = await readBody(req);

    const played = await playInterceptor(interceptors.take(url.pathname), req, res, record);
    if (played === 'done') return;
    if (played) {
      const message = played.status >= 500 ? 'Internal error encountered.' : played.status === 429 ? 'Quota exceeded.' : 'Request failed.';
      return sendError(res, record, played.status, message, played.status === 429 ? 'rateLimitExceeded' : 'backendError');
    }

    if (url.pathname !== PATH || req.method !== 'POST') {
      record.status = 404;
      res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' });
      res.end(`<!DOCTYPE html><title>Error 404 (Not Found)!!1</title><p>The requested URL <code>${url.pathname}</code> was not found on this server.</p>`);
      return;
    }

    const key = url.searchParams.get('key') ?? headerValue(req.headers['x-goog-api-key']);
    if (!key) {
      return sendError(res, record, 403, 'The request is missing a valid API key.', 'forbidden', { domain: 'global' });
    }
    if (blocked.has(key)) {
      return sendError(
        res,
        record,
        403,
        `Requests from API key ${key} to the Cloud Translation API are blocked: the API is disabled in the key's project.`,
        'accessNotConfigured',
        { domain: 'usageLimits' },
      );
    }
    if (key !== apiKey) {
      return sendError(res, record, 400, 'API key not valid. Please pass a valid API key.', 'badRequest', {
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: { service: 'translate.googleapis.com' },
          },
        ],
      });
    }

    const params = parseParams(req, body);
    if (!params) return sendError(res, record, 400, 'Invalid JSON payload received.', 'parseError');
    const q = params.q;
    if (q.length === 0) return sendError(res, record, 400, 'Required Text', 'required');
    if (!params.target) return sendError(res, record, 400, 'Missing required field target', 'required');
    if (!LANGUAGES.has(params.target) || (params.source && !LANGUAGES.has(params.source))) {
      return sendError(res, record, 400, 'Invalid Value', 'invalid');
    }
    if (q.length > 128) return sendError(res, record, 400, 'Too many text segments', 'invalid');
    const recorded: RecordedTranslation = {
      q,
      target: params.target,
      source: params.source,
      format: params.format ?? 'html',
      model: params.model,
      key,
    };
    translations.push(recorded);
    return send(res, record, 200, {
      data: {
        translations: q.map((text) => ({
          translatedText: recorded.format === 'html' ? escapeHtml(translator(text, recorded)) : translator(text, recorded),
          ...(params.source ? {} : { detectedSourceLanguage: 'en' }),
          ...(params.model ? { model: params.model } : {}),
        })),
      },
    });
  }

  const server: Server = createServer((req, res) => {
    res.on('error', () => {});
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, { method: '', path: '', status: 0 }, 500, String(error), 'backendError');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    apiKey,
    translations,
    requests,
    setTranslator(next) {
      translator = next;
    },
    blockKey(blockedKey) {
      blocked.add(blockedKey);
    },
    failNext(status, times = 1) {
      interceptors.push({ kind: 'fail', status, headers: {} }, times);
    },
    dropNext(times = 1) {
      interceptors.push({ kind: 'drop' }, times);
    },
    reset() {
      translations.length = 0;
      requests.length = 0;
      interceptors.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Params {
  q: string[];
  target: string | null;
  source: string | null;
  format: string | null;
  model: string | null;
}

/** The body as JSON (the client libraries) or form-encoded (curl's -d); query parameters count too. */
function parseParams(req: IncomingMessage, body: Buffer): Params | null {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const values = new Map<string, string[]>();
  const add = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    const list = values.get(name) ?? [];
    for (const item of Array.isArray(value) ? value : [value]) list.push(String(item));
    values.set(name, list);
  };
  for (const [name, value] of url.searchParams) if (name !== 'key') add(name, value);
  const type = headerValue(req.headers['content-type']) ?? '';
  if (body.length > 0) {
    if (type.includes('application/x-www-form-urlencoded')) {
      for (const [name, value] of new URLSearchParams(body.toString('utf8'))) add(name, value);
    } else {
      try {
        const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        for (const [name, value] of Object.entries(parsed)) add(name, value);
      } catch {
        return null;
      }
    }
  }
  const one = (name: string) => values.get(name)?.[0] ?? null;
  return { q: values.get('q') ?? [], target: one('target'), source: one('source'), format: one('format'), model: one('model') };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
