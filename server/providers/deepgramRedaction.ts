/**
 * Deepgram's own redaction (`redact`, sent once per value): the kinds of a job mapped to its entity
 * names and groups. Parlance's rules still run over what Deepgram returns (README, "Redaction").
 */
const DEEPGRAM_REDACT: Record<string, string> = {
  EMAIL: 'email_address',
  PHONE: 'phone_number',
  CARD_NUMBER: 'pci',
  SSN: 'ssn',
  URL: 'url',
  NUMBER: 'numbers',
};

/** The `redact` values for a request's kinds; none without kinds. */
export function deepgramRedact(kinds: readonly string[] | null | undefined): { redact?: string } {
  const values = [...new Set((kinds ?? []).map((kind) => DEEPGRAM_REDACT[kind]).filter(Boolean))];
  // The SDK types `redact` as one string but writes an array as repeated query parameters, as Deepgram reads them.
  return values.length > 0 ? { redact: values as unknown as string } : {};
}
