import { BusError, BusErrorCode } from '../../errors/BusError.js';
import type { BusMessage } from '../BusMessage.js';

/** What the index holds: something that takes messages. */
export interface Deliverable {
  deliver(message: BusMessage, seq: number): void;
  complete(): void;
}

interface TrieNode<T> {
  readonly children: Map<string, TrieNode<T>>;
  star: TrieNode<T> | undefined;
  /** Entries whose pattern ends at this node. */
  readonly here: Set<T>;
  /** Entries whose pattern ends in `>` / `**` after this node: they match one or more further segments. */
  readonly rest: Set<T>;
}

const newNode = <T>(): TrieNode<T> => ({ children: new Map(), star: undefined, here: new Set(), rest: new Set() });

const isEmpty = <T>(node: TrieNode<T>): boolean =>
  node.children.size === 0 && node.star === undefined && node.here.size === 0 && node.rest.size === 0;

/**
 * Splits a subscription key into segments, or returns `undefined` for a concrete topic.
 * `*` matches exactly one segment; `>` (or `**`) as the last segment matches one or more, like NATS.
 */
export function parsePattern(pattern: string): string[] | undefined {
  const segments = pattern.split('.');
  let wildcard = false;
  segments.forEach((segment, index) => {
    const rest = segment === '>' || segment === '**';
    const fail = (why: string): never => {
      throw new BusError(BusErrorCode.invalidPattern, `invalid topic pattern "${pattern}": ${why}`);
    };
    if (segment.length === 0) fail('empty segment');
    if (/\s/.test(segment)) fail('whitespace in a segment');
    if (rest && index !== segments.length - 1) fail(`"${segment}" must be the last segment`);
    if (!rest && segment !== '*' && /[*>]/.test(segment)) fail(`wildcards must be whole segments, got "${segment}"`);
    if (rest || segment === '*') wildcard = true;
  });
  return wildcard ? segments : undefined;
}

/**
 * Finds the entries subscribed to a topic.
 *
 * Cost model: concrete topics live in a `Map<topic, Set>`, so their lookup is O(1) in the number
 * of topics and subscriptions. Patterns live in a segment trie, walked only when at least one
 * pattern exists: O(segments of the topic × wildcard branches taken), independent of how many
 * patterns or topics are registered. A topic split costs one `split('.')` per publish.
 */
export class TopicIndex<T extends Deliverable> {
  private readonly exact = new Map<string, Set<T>>();
  private readonly root: TrieNode<T> = newNode();
  private patterns = 0;

  /** Number of distinct concrete topics with at least one entry. */
  get topicCount(): number {
    return this.exact.size;
  }

  /** Number of pattern entries. */
  get patternCount(): number {
    return this.patterns;
  }

  /** Registers `entry` under `key`; `segments` is `parsePattern(key)`. */
  add(key: string, segments: readonly string[] | undefined, entry: T): void {
    if (segments === undefined) {
      let set = this.exact.get(key);
      if (set === undefined) this.exact.set(key, (set = new Set()));
      set.add(entry);
      return;
    }
    let node = this.root;
    for (const [index, segment] of segments.entries()) {
      if (index === segments.length - 1 && (segment === '>' || segment === '**')) {
        node.rest.add(entry);
        this.patterns += 1;
        return;
      }
      if (segment === '*') node = node.star ??= newNode();
      else {
        let child = node.children.get(segment);
        if (child === undefined) node.children.set(segment, (child = newNode()));
        node = child;
      }
    }
    node.here.add(entry);
    this.patterns += 1;
  }

  /** Unregisters `entry`, pruning empty trie nodes and topics so nothing grows with churn. */
  remove(key: string, segments: readonly string[] | undefined, entry: T): void {
    if (segments === undefined) {
      const set = this.exact.get(key);
      if (set?.delete(entry) === true && set.size === 0) this.exact.delete(key);
      return;
    }
    const path: { node: TrieNode<T>; segment: string }[] = [];
    let node: TrieNode<T> | undefined = this.root;
    let removed = false;
    for (const [index, segment] of segments.entries()) {
      if (index === segments.length - 1 && (segment === '>' || segment === '**')) {
        removed = node.rest.delete(entry);
        break;
      }
      const next: TrieNode<T> | undefined = segment === '*' ? node.star : node.children.get(segment);
      if (next === undefined) return;
      path.push({ node, segment });
      node = next;
      if (index === segments.length - 1) removed = node.here.delete(entry);
    }
    if (!removed) return;
    this.patterns -= 1;
    for (let i = path.length - 1; i >= 0; i -= 1) {
      const { node: parent, segment } = path[i]!;
      const child = segment === '*' ? parent.star : parent.children.get(segment);
      if (child === undefined || !isEmpty(child)) break;
      if (segment === '*') parent.star = undefined;
      else parent.children.delete(segment);
    }
  }

  /** Number of trie nodes besides the root; returns to 0 once every pattern is removed (leak checks). */
  get nodeCount(): number {
    const count = (node: TrieNode<T>): number =>
      [...node.children.values()].reduce((sum, child) => sum + 1 + count(child), 0) + (node.star === undefined ? 0 : 1 + count(node.star));
    return count(this.root);
  }

  /** True when some entry matches `topic`. */
  has(topic: string): boolean {
    if (this.exact.has(topic)) return true;
    return this.patterns > 0 && this.hasPattern(topic.split('.'), 0, this.root);
  }

  /** Delivers `message` once to each entry matching its topic: exact entries first, then patterns. */
  deliver(message: BusMessage, seq: number): void {
    const set = this.exact.get(message.topic);
    if (set !== undefined) for (const entry of set) entry.deliver(message, seq);
    if (this.patterns > 0) this.deliverPatterns(message.topic.split('.'), 0, this.root, message, seq);
  }

  /** Every entry, for shutdown. */
  all(): T[] {
    const out: T[] = [];
    for (const set of this.exact.values()) out.push(...set);
    const walk = (node: TrieNode<T>): void => {
      out.push(...node.here, ...node.rest);
      for (const child of node.children.values()) walk(child);
      if (node.star !== undefined) walk(node.star);
    };
    walk(this.root);
    return out;
  }

  private deliverPatterns(segments: readonly string[], index: number, node: TrieNode<T>, message: BusMessage, seq: number): void {
    if (index === segments.length) {
      for (const entry of node.here) entry.deliver(message, seq);
      return;
    }
    for (const entry of node.rest) entry.deliver(message, seq);
    const child = node.children.get(segments[index]!);
    if (child !== undefined) this.deliverPatterns(segments, index + 1, child, message, seq);
    if (node.star !== undefined) this.deliverPatterns(segments, index + 1, node.star, message, seq);
  }

  private hasPattern(segments: readonly string[], index: number, node: TrieNode<T>): boolean {
    if (index === segments.length) return node.here.size > 0;
    if (node.rest.size > 0) return true;
    const child = node.children.get(segments[index]!);
    if (child !== undefined && this.hasPattern(segments, index + 1, child)) return true;
    return node.star !== undefined && this.hasPattern(segments, index + 1, node.star);
  }
}
