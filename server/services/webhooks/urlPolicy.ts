import { badInput } from '../../errors.ts';
import { assertPublicUrl, isAllowed } from '../urlFetch.ts';

const MAX_URL_LENGTH = 2048;

/**
 * HTTPS only, unless the host is in WEBHOOK_ALLOW_HOSTS; no credentials in the URL; and the host
 * must resolve to public addresses only, unless allow-listed (checked again at every delivery).
 */
export async function parseWebhookUrl(raw: string, allowHosts: string[]): Promise<URL> {
  const trimmed = raw.trim();
  if (trimmed.length > MAX_URL_LENGTH) throw badInput('url is too long.', 'url');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw badInput('url is not a valid URL.', 'url');
  }
  const allowed = isAllowed(url.hostname, allowHosts);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed)) {
    throw badInput('url must be https (http only for hosts in WEBHOOK_ALLOW_HOSTS).', 'url');
  }
  if (url.username || url.password) throw badInput('url must not contain credentials.', 'url');
  url.hash = '';
  await assertPublicUrl(url, { allowHosts });
  return url;
}
