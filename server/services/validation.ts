import { badInput } from '../errors.ts';

const USERNAME = /^[a-z0-9][a-z0-9_.-]{2,31}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseUsername(raw: string): string {
  const username = raw.trim().toLowerCase();
  if (!USERNAME.test(username)) {
    throw badInput(
      'Username must be 3-32 characters: letters, digits, ".", "_" or "-", starting with a letter or digit.',
      'username',
    );
  }
  return username;
}

export function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw badInput('Email address is not valid.', 'email');
  return email;
}

export function requireName(raw: string, field = 'name', max = 100): string {
  const name = raw.trim();
  if (name.length === 0) throw badInput(`${field} must not be empty.`, field);
  if (name.length > max) throw badInput(`${field} must be at most ${max} characters.`, field);
  return name;
}
