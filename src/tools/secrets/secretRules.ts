import { shannonEntropy } from './shannonEntropy.js';
import type { SecretRule } from './SecretRule.js';

const PLACEHOLDER = /^(?:\*+|x+|\.+|<[^>]*>|\{\{.*\}\}|%s|your[_-]?\w*|password|secret|changeme|example|redacted|dummy|null|none|undefined|true|false)$/i;
/** Names whose long values are hashes or ids by design, not credentials. */
const NOT_SECRET_NAME = /hash|integrity|sha\d*|checksum|digest|nonce|uuid|guid|commit|version|etag|resolved|url|uri|path|file|class|image/i;
const HEX = /^[0-9a-f]+$/i;
/** Configuration formats whose values are written unquoted. */
export const CONFIG_FILES = /\.(?:properties|ya?ml|ini|cfg|conf|toml|env)$|(?:^|\/)\.env(?:\.[\w-]+)?$/i;
/** Names that describe a credential rather than hold it (`password.encoder`, `secret-file`, `token_url`). */
const NOT_SECRET_SUFFIX = /(?:encoder|policy|length|min|max|field|file|path|url|uri|enabled|required|type|hash|algorithm|prompt|reset|name|ref|key-ref|secretkeyref|_FILE|_PATH|_URL)$/i;

/**
 * The secret scanner's detectors, specific formats first. The generic ones (`GENERIC_PASSWORD`,
 * `HIGH_ENTROPY_STRING`) only look at assignments (`name = "value"`, `name: value`) to keep false
 * positives down; a high-entropy string must score at least 3.0 bits/char as 32+ hex characters
 * or 4.0 bits/char as 20+ base64 characters with both letters and digits.
 */
export const SECRET_RULES: readonly SecretRule[] = [
  { id: 'PRIVATE_KEY', severity: 'critical', pattern: /(-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----)/dg },
  { id: 'AWS_ACCESS_KEY_ID', severity: 'high', pattern: /\b((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\b/dg },
  { id: 'AWS_SECRET_ACCESS_KEY', severity: 'critical', pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/dgi },
  { id: 'GITHUB_TOKEN', severity: 'high', pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/dg },
  { id: 'SLACK_TOKEN', severity: 'high', pattern: /\b(xox[baprs]-[A-Za-z0-9-]{10,250})\b/dg },
  { id: 'JWT', severity: 'medium', pattern: /\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})/dg },
  {
    id: 'GENERIC_PASSWORD',
    severity: 'medium',
    pattern: /\b([\w.-]{0,40}(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token)[\w.-]{0,40})["']?\s*(?:=|:|:=|=>)\s*["']([^"'\s]{4,200})["']/dgi,
    accept: (secret, name) => !PLACEHOLDER.test(secret) && !secret.includes('${') && !/(?:_FILE|_PATH|_URL)$/i.test(name ?? ''),
  },
  {
    // Unquoted `NAME=value` as in .env files, shell exports and Dockerfile ENV lines; upper-case
    // names only, as environment variables are, to stay clear of code.
    id: 'GENERIC_PASSWORD',
    severity: 'medium',
    pattern: /(?:^|[\s;])([A-Z_][A-Z0-9_]{0,40}(?:PASSWORD|PASSWD|SECRET|API_?KEY|ACCESS_?TOKEN|AUTH_?TOKEN)[A-Z0-9_]{0,40})=([^\s"'$]{4,200})/dg,
    accept: (secret, name) => !PLACEHOLDER.test(secret) && !/(?:_FILE|_PATH|_URL)$/.test(name ?? ''),
  },
  {
    // Unquoted `db.password=...` in .properties and `password: ...` in YAML/INI/TOML config,
    // where values are not quoted; only config files, so code (`password = input()`) stays out.
    id: 'GENERIC_PASSWORD',
    severity: 'medium',
    pattern: /^\s*(?:-\s+)?([\w.-]{0,60}(?:password|passwd|pwd|secret|api[_.-]?key|access[_.-]?token|auth[_.-]?token|client[_.-]?secret|credentials?)[\w.-]{0,40})\s*[=:]\s*(?!["'|>])([^\s#"'][^\s#]{3,200})\s*(?:#.*)?$/dgi,
    files: CONFIG_FILES,
    accept: (secret, name) => !PLACEHOLDER.test(secret) && !/\$\{|\{\{|^\$\w|^ENC\(|^!/.test(secret) && !NOT_SECRET_SUFFIX.test(name ?? ''),
  },
  {
    id: 'HIGH_ENTROPY_STRING',
    severity: 'low',
    pattern: /\b([A-Za-z_][\w.-]{0,60})["']?\s*(?:=|:|:=|=>)\s*["']?([A-Za-z0-9+/_=-]{20,500})(?![A-Za-z0-9+/_=-])/dg,
    accept: (secret, name) => !NOT_SECRET_NAME.test(name ?? '') && isHighEntropy(secret),
  },
];

/** True for a random-looking hex or base64 string (see {@link SECRET_RULES}). */
export function isHighEntropy(value: string): boolean {
  const bare = value.replace(/=+$/, '');
  if (HEX.test(bare)) return bare.length >= 32 && shannonEntropy(bare) >= 3.0;
  return bare.length >= 20 && /\d/.test(bare) && /[A-Za-z]/.test(bare) && shannonEntropy(bare) >= 4.0;
}
