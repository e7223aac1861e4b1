/**
 * Shannon entropy of `text` in bits per character: 0 for `aaaa`, log2(n) when all n characters
 * differ. Random base64 scores above ~4.5 on long strings, random hex near 4, prose and
 * identifiers lower.
 *
 * @example
 * shannonEntropy('aaaa'); // 0
 * shannonEntropy('abcd'); // 2
 */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}
