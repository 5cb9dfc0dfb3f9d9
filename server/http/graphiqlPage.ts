// GraphiQL's page at GET /graphql (Accept: text/html): a small HTML document pointing at the files
// of graphiqlAssets.ts, with a content security policy of its own.
import { shouldRenderGraphiQL, type GraphiQLOptions, type Plugin } from 'graphql-yoga';
import type { Env } from '../env.ts';
import { graphiqlAssetUrls } from './graphiqlAssets.ts';

/** GraphiQL (its page and its assets) is there outside production only. */
export function graphiqlEnabled(env: Pick<Env, 'isProduction'>): boolean {
  return !env.isProduction;
}

// Monaco and GraphiQL inject <style> elements, hence 'unsafe-inline' for styles (scripts stay 'self');
// their stylesheet embeds its fonts and icons as data: URLs.
const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Yoga's `renderGraphiQL`: the options go in a JSON block that the start script reads. */
export async function renderGraphiqlPage(options: GraphiQLOptions): Promise<string> {
  const urls = await graphiqlAssetUrls();
  const title = options.title ?? 'Parlance GraphiQL';
  const page = { options: { ...options, title }, workers: urls.workers };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(title)}</title>
    <link rel="icon" href="${escapeHtml(options.favicon ?? urls.favicon)}" />
    <link rel="stylesheet" href="${urls.css}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${scriptSafeJson(page)}</script>
    <script src="${urls.js}"></script>
    <script src="${urls.start}"></script>
  </body>
</html>
`;
}

/** GraphiQL's page gets its policy, and is never framed or cached stale (its asset names change with the package). */
export function graphiqlPageHeaders(): Plugin {
  return {
    onResponse: ({ request, response }) => {
      if (!shouldRenderGraphiQL(request) || !response.headers.get('content-type')?.startsWith('text/html')) return;
      response.headers.set('content-type', 'text/html; charset=utf-8');
      response.headers.set('content-security-policy', GRAPHIQL_CSP);
      response.headers.set('x-frame-options', 'DENY');
      response.headers.set('referrer-policy', 'no-referrer');
      response.headers.set('x-content-type-options', 'nosniff');
      response.headers.set('cache-control', 'no-cache');
    },
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** JSON that cannot end its <script> element early. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
