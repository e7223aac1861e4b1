/** Longest run of `*` in a mask, so a long key does not flood the report. */
const MAX_STARS = 32;

/**
 * Masks a secret for display: at most the first 4 characters survive, and never more than a
 * quarter of it, so short passwords are not given away; the rest becomes `*`.
 *
 * @example
 * maskSecret('AKIA0000FAKE0KEY0000'); // 'AKIA****************'
 * maskSecret('hunter22');             // 'hu******'
 */
export function maskSecret(secret: string): string {
  const shown = Math.min(4, Math.floor(secret.length / 4));
  return secret.slice(0, shown) + '*'.repeat(Math.min(secret.length - shown, MAX_STARS));
}
