// A set's terms as the web app edits them: one term per line.
export const termsFromText = (text: string): string[] => text.split('\n').map((line) => line.trim()).filter(Boolean);
export const textFromTerms = (terms: readonly string[]): string => terms.join('\n');
