import { createHash } from 'node:crypto';

/** Alphabets for {@link stableCharacters}. */
export const Alphabets = {
  UPPER_ALPHANUMERIC: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  LOWER_ALPHANUMERIC: 'abcdefghijklmnopqrstuvwxyz0123456789',
  MIXED_ALPHANUMERIC: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  HEX: '0123456789abcdef',
} as const;

/**
 * Random-looking characters that are the same on every run for the same seed: the
 * stand-in for the parts of names and IDs that AWS makes up at deploy time.
 */
export function stableCharacters(seed: string, length: number, alphabet: string): string {
  let result = '';
  for (let round = 0; result.length < length; round++) {
    const digest = createHash('sha256').update(`${round}:${seed}`).digest();
    for (const byte of digest) {
      if (result.length === length) break;
      result += alphabet[byte % alphabet.length];
    }
  }
  return result;
}

/** A UUID-shaped string (8-4-4-4-12 hex digits) that is stable for the seed. */
export function stableUuid(seed: string): string {
  const hex = stableCharacters(seed, 32, Alphabets.HEX);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
