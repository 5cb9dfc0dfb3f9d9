import { readFileSync } from 'node:fs';

// Shipped with the project (source and license in the file's header): most frequent first, lower-case.
const LIST_URL = new URL('./wordlists/common-passwords.txt', import.meta.url);

let list: ReadonlySet<string> | undefined;

/** The breached-password list, read once on first use. */
export function breachedPasswords(): ReadonlySet<string> {
  list ??= new Set(
    readFileSync(LIST_URL, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#')),
  );
  return list;
}

/** Whether the password (compared case-insensitively) appears in the list. */
export function isBreachedPassword(password: string): boolean {
  return breachedPasswords().has(password.trim().toLowerCase());
}
