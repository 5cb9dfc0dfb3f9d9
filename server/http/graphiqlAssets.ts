// GraphiQL's files, served from @graphql-yoga/render-graphiql instead of a CDN, so GraphiQL works
// offline. The package holds them as strings (its own page inlines all 9 MB into every answer);
// here each is a file of its own under /graphiql/assets/, named by its content hash and cached for
// a year. They are loaded on first use only: production (GraphiQL off) never reads them.
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { answeredNotModified, contentTypeOf, IMMUTABLE } from './adminRoute.ts';
import { sendError } from './httpError.ts';

const PREFIX = '/graphiql/assets/';

/** Monaco's worker labels, as GraphiQL asks for them (MonacoEnvironment.getWorkerUrl). */
type WorkerLabel = 'editorWorkerService' | 'json' | 'graphql';

interface GraphiqlAssetUrls {
  js: string;
  css: string;
  favicon: string;
  /** Ours: sets up Monaco's workers and renders GraphiQL, from the page's JSON options (no inline script). */
  start: string;
  workers: Record<WorkerLabel, string>;
}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  gzipped?: Promise<Buffer>;
}

interface GraphiqlAssets {
  urls: GraphiqlAssetUrls;
  byName: Map<string, Asset>;
}

/** Runs after graphiql.js; the page carries its options in <script type="application/json" id="graphiql-options">. */
const START_SCRIPT = `(function () {
  var page = JSON.parse(document.getElementById('graphiql-options').textContent);
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) { return page.workers[label]; },
  };
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), page.options);
})();
`;

let loading: Promise<GraphiqlAssets> | null = null;

/** The assets' URLs (for the page), loading the package on first use. */
export async function graphiqlAssetUrls(): Promise<GraphiqlAssetUrls> {
  return (await graphiqlAssets()).urls;
}

function graphiqlAssets(): Promise<GraphiqlAssets> {
  loading ??= loadAssets().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

async function loadAssets(): Promise<GraphiqlAssets> {
  const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  const byName = new Map<string, Asset>();
  const add = (stem: string, extension: string, body: Buffer): string => {
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const name = `${stem}.${hash}${extension}`;
    byName.set(name, { body, type: contentTypeOf(name), etag: `W/"${hash}"` });
    return PREFIX + name;
  };
  const text = (value: string) => Buffer.from(value, 'utf8');
  const favicon = /^data:image\/x-icon;base64,(.*)$/s.exec(bundle.favicon);
  return {
    byName,
    urls: {
      js: add('graphiql', '.js', text(bundle.js)),
      css: add('graphiql', '.css', text(bundle.css)),
      favicon: favicon ? add('favicon', '.ico', Buffer.from(favicon[1], 'base64')) : '',
      start: add('start', '.js', text(START_SCRIPT)),
      workers: {
        editorWorkerService: add('editor.worker', '.js', text(bundle.editorWorkerService)),
        json: add('json.worker', '.js', text(bundle.jsonWorker)),
        graphql: add('graphql.worker', '.js', text(bundle.graphqlWorker)),
      },
    },
  };
}

export function isGraphiqlAsset(urlPath: string): boolean {
  return urlPath.startsWith(PREFIX);
}

/** GET/HEAD /graphiql/assets/{name}: only the names above; nothing at all when GraphiQL is off. */
export async function serveGraphiqlAsset(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  graphiqlEnabled: boolean,
): Promise<void> {
  if (!graphiqlEnabled) return sendError(res, 'NOT_FOUND', 'Not found.');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendError(res, 'METHOD_NOT_ALLOWED', 'Use GET or HEAD.');
  }
  let name: string;
  try {
    name = decodeURIComponent((req.url ?? '').split('?')[0].slice(PREFIX.length));
  } catch {
    return sendError(res, 'BAD_USER_INPUT', 'Bad path.');
  }
  // Names are looked up, never joined to a path; a way up or down is refused outright all the same.
  if (/[/\\\0]|\.\./.test(name)) return sendError(res, 'BAD_USER_INPUT', 'Bad path.');
  const asset = (await graphiqlAssets()).byName.get(name);
  if (!asset) return sendError(res, 'NOT_FOUND', 'Not found.');
  if (answeredNotModified(req, res, { type: asset.type, cacheControl: IMMUTABLE, etag: asset.etag })) return;

  let body = asset.body;
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && asset.type.startsWith('text/')) {
    asset.gzipped ??= gzipAsync(asset.body);
    body = await asset.gzipped;
    res.setHeader('content-encoding', 'gzip');
  }
  res.setHeader('content-length', body.length);
  res.writeHead(200);
  res.end(req.method === 'HEAD' ? undefined : body);
}

const gzipAsync = promisify(gzip);
