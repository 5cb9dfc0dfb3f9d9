/** Redaction by rules, for every engine (README, "Redaction"): see spans.ts for one text, segments.ts for a transcript. */
export { REDACTION_KINDS, normaliseKinds, placeholderOf, sameKinds, type RedactionKind } from './kinds.ts';
export { applySpans, findSpans, redactText, type TextSpan } from './spans.ts';
export { redactSegments, type RedactableSegment, type RedactedSpan, type SegmentRedaction } from './segments.ts';
