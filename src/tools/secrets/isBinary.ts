/** Extensions of files that are never text worth scanning. */
const BINARY_EXTENSIONS = /\.(png|jpe?g|gif|bmp|ico|webp|avif|tiff?|psd|pdf|zip|gz|tgz|bz2|xz|zst|7z|rar|jar|war|ear|class|so|dylib|dll|exe|bin|o|a|wasm|pyc|pyo|woff2?|ttf|otf|eot|mp[34]|mov|avi|webm|ogg|wav|flac|sqlite3?|db)$/i;

/**
 * True when a file is binary: a known binary extension, or a NUL byte in its first 8 KiB (the
 * test git uses).
 *
 * @example
 * isBinary('logo.png', buffer); // true
 */
export function isBinary(file: string, head?: Uint8Array): boolean {
  if (BINARY_EXTENSIONS.test(file)) return true;
  return head !== undefined && head.subarray(0, 8192).includes(0);
}
