/** Names that usually hold a credential. */
const SECRET_NAME = /PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH_?KEY/i;
/** Names that point at a credential rather than hold it (`DB_PASSWORD_FILE`, `TOKEN_URL`). */
const REFERENCE_SUFFIX = /_(FILE|PATH|DIR|URL|URI|ENDPOINT|HOST|NAME|HEADER|LENGTH|TTL|EXPIRY|TYPE)$/i;

/**
 * True when an `ENV`/`ARG` named `name` with value `value` bakes a literal credential into the
 * image: a secret-looking name, a non-empty value, and no variable in it.
 *
 * @example
 * isLiteralSecret('DB_PASSWORD', 'hunter2'); // true
 * isLiteralSecret('DB_PASSWORD', '$DB_PASSWORD'); // false
 */
export function isLiteralSecret(name: string, value: string | null): boolean {
  if (value === null || value.trim() === '' || value.includes('$')) return false;
  return SECRET_NAME.test(name) && !REFERENCE_SUFFIX.test(name);
}
