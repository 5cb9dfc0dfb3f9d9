// Passkeys in real Chromium: a CTAP2 virtual authenticator (Chrome DevTools Protocol, WebAuthn domain)
// that holds discoverable credentials and verifies its user, and the page-side calls that turn the
// server's JSON options into a credential's JSON answer (the browser's own parse...FromJSON/toJSON).
import type { CDPSession, Page } from 'playwright-core';

export interface VirtualAuthenticator {
  cdp: CDPSession;
  id: string;
  /** The credentials it holds, with their signature counters. */
  credentials(): Promise<{ credentialId: string; signCount: number; rpId?: string; userHandle?: string }[]>;
}

/** Adds a platform authenticator with resident keys and user verification to the page's tab. */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    id: authenticatorId,
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
  };
}

/** navigator.credentials.create() with the server's creation options (JSON text); the credential's JSON text. */
export function createInPage(page: Page, optionsJson: string): Promise<string> {
  return page.evaluate(async (json) => {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(JSON.parse(json));
    const credential = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential;
    return JSON.stringify(credential.toJSON());
  }, optionsJson);
}

/** navigator.credentials.get() with the server's request options (JSON text), optionally another rpId. */
export function getInPage(page: Page, optionsJson: string, override: { rpId?: string } = {}): Promise<string> {
  return page.evaluate(
    async ({ json, rpId }) => {
      const parsed = JSON.parse(json);
      if (rpId) parsed.rpId = rpId;
      const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(parsed);
      const credential = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential;
      return JSON.stringify(credential.toJSON());
    },
    { json: optionsJson, rpId: override.rpId },
  );
}
