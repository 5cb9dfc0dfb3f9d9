import { describe, expect, it } from 'vitest';
import type { Word } from '../server/providers/types.ts';
import { passesLuhn } from '../server/transcripts/redaction/luhn.ts';
import { classifyNumber, findNumberRuns } from '../server/transcripts/redaction/numbers.ts';
import { tokenize } from '../server/transcripts/redaction/tokens.ts';
import { findSpans, redactSegments, redactText, REDACTION_KINDS, type RedactionKind } from '../server/transcripts/redaction/index.ts';

const ALL = [...REDACTION_KINDS];
const digitsOf = (text: string) => findNumberRuns(tokenize(text)).map((run) => run.digits);
const words = (text: string, start = 0, step = 0.5): Word[] =>
  text.split(' ').map((word, i) => ({ word, start: start + i * step, end: start + i * step + step * 0.8 }));

describe('numbers', () => {
  it('reads digits written and spoken', () => {
    expect(digitsOf('call 555-1212 now')).toEqual(['5551212']);
    expect(digitsOf('five five five one two one two')).toEqual(['5551212']);
    expect(digitsOf('oh eight hundred double five twenty one')).toEqual(['0800552' + '1']);
    expect(digitsOf('twenty-one and nineteen')).toEqual(['21', '19']);
    expect(digitsOf('five hundred fifty five')).toEqual(['555']);
    expect(digitsOf('(415) 555-0100')).toEqual(['4155550100']);
  });

  it('takes "to" and "for" as digits only between two numbers, and "oh" only next to one', () => {
    expect(digitsOf('five five five one to one two')).toEqual(['5551212']);
    expect(digitsOf('numbers for one one')).toEqual(['11']);
    expect(digitsOf('one to one meeting for me')).toEqual(['121']);
    expect(digitsOf('oh well, I went to the shop')).toEqual([]);
  });

  it('checks card numbers with Luhn', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    const kinds = new Set<RedactionKind>(['CARD_NUMBER']);
    expect(classifyNumber('4111111111111111', kinds)).toBe('CARD_NUMBER');
    expect(classifyNumber('4111111111111112', kinds)).toBeNull();
    expect(classifyNumber('4111111111111112', new Set<RedactionKind>(['CARD_NUMBER', 'NUMBER']))).toBe('NUMBER');
    expect(classifyNumber('123456789', new Set<RedactionKind>(['SSN', 'PHONE']))).toBe('SSN');
    expect(classifyNumber('5551212', new Set<RedactionKind>(['PHONE']))).toBe('PHONE');
    expect(classifyNumber('42', new Set<RedactionKind>(['NUMBER']))).toBeNull();
  });
});

describe('redactText', () => {
  it('replaces spoken and written phone and card numbers', () => {
    expect(redactText('please call me at five five five one two one two after lunch', ALL)).toBe('please call me at [PHONE] after lunch');
    expect(redactText('my card number is four one one one one one one one one one one one one one one one thanks', ALL)).toBe(
      'my card number is [CARD_NUMBER] thanks',
    );
    expect(redactText('Card: 4111 1111 1111 1111, expires soon.', ['CARD_NUMBER'])).toBe('Card: [CARD_NUMBER], expires soon.');
    expect(redactText('Call (415) 555-0100.', ['PHONE'])).toBe('Call [PHONE].');
    expect(redactText('SSN 123-45-6789 on file', ['SSN'])).toBe('SSN [SSN] on file');
  });

  it('leaves what was not asked for, and short numbers', () => {
    expect(redactText('call 555-1212', ['EMAIL'])).toBe('call 555-1212');
    expect(redactText('I have two dogs and one cat', ALL)).toBe('I have two dogs and one cat');
    expect(redactText('a card 4111 1111 1111 1112 that fails Luhn', ['CARD_NUMBER'])).toBe('a card 4111 1111 1111 1112 that fails Luhn');
  });

  it('finds email addresses written and spoken', () => {
    expect(redactText('Write to ana.silva@example.com.', ['EMAIL'])).toBe('Write to [EMAIL].');
    expect(redactText('mail ana dot silva at example dot co dot uk today', ['EMAIL'])).toBe('mail [EMAIL] today');
    expect(redactText('john at example dot com', ['EMAIL'])).toBe('[EMAIL]');
    expect(redactText('I was at home dot then left', ['EMAIL', 'URL'])).toBe('I was at home dot then left');
  });

  it('finds web addresses written and spoken, and does not take an email for one', () => {
    expect(redactText('see https://example.com/a?b=1 or www.example.org', ['URL'])).toBe('see [URL] or [URL]');
    expect(redactText('go to example dot com slash pricing now', ['URL'])).toBe('go to [URL] now');
    expect(redactText('visit w w w dot example dot com', ['URL'])).toBe('visit [URL]');
    expect(redactText('ana at example dot com', ['EMAIL', 'URL'])).toBe('[EMAIL]');
    expect(findSpans('ana at example dot com', ['URL'])).toEqual([]);
  });
});

describe('redactSegments', () => {
  it('times each span by its words and replaces them with one placeholder word', () => {
    const text = 'call me at five five five one two one two please';
    const [result] = redactSegments([{ text, start: 0, end: 5, words: words(text) }], ['PHONE']);
    expect(result.text).toBe('call me at [PHONE] please');
    expect(result.spans).toEqual([{ kind: 'PHONE', from: 11, to: 41, start: 1.5, end: 4.9 }]);
    expect(result.words!.map((w) => w.word)).toEqual(['call', 'me', 'at', '[PHONE]', 'please']);
    expect(result.words![3]).toMatchObject({ start: 1.5, end: 4.9 });
  });

  it('finds a number said across two segments', () => {
    const first = 'my number is five five five';
    const second = 'one two one two thanks';
    const [a, b] = redactSegments(
      [
        { text: first, start: 0, end: 3, words: words(first, 0) },
        { text: second, start: 3.5, end: 6, words: words(second, 3.5) },
      ],
      ['PHONE'],
    );
    expect(a.text).toBe('my number is [PHONE]');
    expect(b.text).toBe('[PHONE] thanks');
    expect(b.spans[0]).toMatchObject({ start: 3.5, end: 5.4 });
  });

  it('without word times the whole segment is the span', () => {
    const [result] = redactSegments([{ text: 'call 555 1212', start: 2, end: 4, words: [] }], ['PHONE']);
    expect(result.spans[0]).toMatchObject({ start: 2, end: 4 });
  });

  it('stores no text or words when nothing was found', () => {
    expect(redactSegments([{ text: 'hello there', start: 0, end: 1, words: [] }], ['PHONE'])).toEqual([{ kinds: ['PHONE'], spans: [] }]);
  });
});
