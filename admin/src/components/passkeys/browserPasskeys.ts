// The browser's side of passkeys (@simplewebauthn/browser): the server's options (JSON text) in, the
// credential's answer (JSON text) out, and a sentence for the ways the prompt can end without one.
import { startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser';

export async function createPasskey(optionsJson: string): Promise<string> {
  return JSON.stringify(await startRegistration({ optionsJSON: JSON.parse(optionsJson) }));
}

export async function answerWithPasskey(optionsJson: string): Promise<string> {
  return JSON.stringify(await startAuthentication({ optionsJSON: JSON.parse(optionsJson) }));
}

/** What to tell the person when the browser's passkey prompt failed. */
export function passkeyFailure(failure: unknown): string {
  if (failure instanceof WebAuthnError) {
    if (failure.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'This device already holds a passkey for your account.';
    if (failure.name === 'NotAllowedError') return 'The passkey prompt was cancelled or timed out.';
    return failure.message;
  }
  if (failure instanceof Error && failure.name === 'NotAllowedError') return 'The passkey prompt was cancelled or timed out.';
  return failure instanceof Error ? failure.message : 'The passkey could not be used.';
}
