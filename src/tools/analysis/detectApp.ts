import { detectDotnet } from './detectDotnet.js';
import { detectGo } from './detectGo.js';
import { detectJava } from './detectJava.js';
import { detectNode } from './detectNode.js';
import { detectPython } from './detectPython.js';
import { detectRust } from './detectRust.js';
import type { LanguageDetection, LanguageDetector } from './LanguageDetection.js';
import type { RepoReader } from './RepoReader.js';

/** Tried in this order; the first that recognises the directory and names a framework wins. */
const DETECTORS: readonly LanguageDetector[] = [detectNode, detectPython, detectGo, detectJava, detectDotnet, detectRust];

/**
 * The analysis of the app in one directory: when several languages are present (a Python API
 * with a `package.json` for tooling), the first detector whose language has a recognised
 * framework wins, else the first that matched; the others are named in a note.
 *
 * @example
 * (await detectApp(createRepoReader(dir, signal)))?.language; // 'go'
 */
export async function detectApp(repo: RepoReader): Promise<LanguageDetection | undefined> {
  const detections: LanguageDetection[] = [];
  for (const detect of DETECTORS) {
    const detection = await detect(repo);
    if (detection !== undefined) detections.push(detection);
  }
  const chosen = detections.find((detection) => detection.framework !== 'none') ?? detections[0];
  if (chosen === undefined) return undefined;
  const others = detections.filter((detection) => detection !== chosen).map((detection) => detection.language);
  return others.length > 0 ? { ...chosen, notes: [...chosen.notes, `also found ${others.join(', ')} files; analysed as ${chosen.language}`] } : chosen;
}
