import type { Env } from '../../env.ts';

/** Who the browser is asked to make and use passkeys for: PUBLIC_URL's host and origin (README, "Passkeys"). */
export interface RelyingParty {
  /** The relying-party id: PUBLIC_URL's host name ("parlance.example.com", "localhost"). */
  id: string;
  name: string;
  /** The origins a ceremony may come from: PUBLIC_URL's origin. */
  origins: string[];
}

export function relyingParty(env: Pick<Env, 'publicUrl'>): RelyingParty {
  const url = new URL(env.publicUrl);
  return { id: url.hostname, name: 'Parlance', origins: [url.origin] };
}
