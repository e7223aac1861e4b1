/** How bad a leaked secret of a kind is. */
export type SecretSeverity = 'critical' | 'high' | 'medium' | 'low';

/** One detector of the secret scanner. */
export interface SecretRule {
  /** Stable identifier reported in findings (`AWS_ACCESS_KEY_ID`). */
  id: string;
  severity: SecretSeverity;
  /**
   * Global, with indices (`dg`). The last capture group is the secret; when there are two, the
   * first is the name it is assigned to.
   */
  pattern: RegExp;
  /** Only files whose relative path matches are scanned with this rule (config formats); all files when absent. */
  files?: RegExp;
  /** Rejects a match that is a placeholder or otherwise not a secret. */
  accept?(secret: string, name: string | undefined): boolean;
}
