import { ErrorType } from '../../errors/ErrorInfo.js';
import { ToolError } from '../../errors/ToolError.js';
import { registryHost, type Credentials } from './registryCredentials.js';

/** Options of the registry HTTP calls. */
export interface RegistryRequestOptions {
  credentials?: Credentials | undefined;
  /** `false` speaks plain HTTP. Default: plain HTTP for loopback hosts (as docker does), HTTPS elsewhere. */
  tls?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Default 10000 ms. */
  timeoutMs?: number | undefined;
}

/** What the registry said to a request: the HTTP status and the headers that matter. */
export interface RegistryAnswer {
  status: number;
  url: string;
  headers: Headers;
  body: string;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * True for hosts docker and podman users treat as local: `localhost`, `127.0.0.0/8`, `[::1]`.
 *
 * @example
 * isLoopbackRegistry('127.0.0.1:5000'); // true
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registryHost(registry).replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * `GET /v2/` with the credentials: basic auth, or the bearer-token exchange a registry asks
 * for in `WWW-Authenticate`. 200 means the credentials (or anonymous access) are accepted.
 * Network failures throw `REGISTRY_UNREACHABLE`.
 *
 * @example
 * const { status } = await pingRegistry('127.0.0.1:5000', { credentials });
 */
export function pingRegistry(registry: string, options: RegistryRequestOptions = {}): Promise<RegistryAnswer> {
  return registryGet(registry, '/v2/', options);
}

/**
 * `GET /v2/<repository>/manifests/<reference>` (a tag or a digest), asking for OCI and
 * Docker manifests and indexes; `Docker-Content-Digest` is in the headers.
 *
 * @example
 * const answer = await getManifest('127.0.0.1:5000', 'app', '1.0.0');
 */
export function getManifest(registry: string, repository: string, reference: string, options: RegistryRequestOptions = {}): Promise<RegistryAnswer> {
  return registryGet(registry, `/v2/${repository}/manifests/${reference}`, options, { accept: MANIFEST_TYPES });
}

async function registryGet(registry: string, path: string, options: RegistryRequestOptions, headers: Record<string, string> = {}): Promise<RegistryAnswer> {
  const host = registryHost(registry);
  const tls = options.tls ?? !isLoopbackRegistry(host);
  const url = `${tls ? 'https' : 'http'}://${host === 'docker.io' ? 'registry-1.docker.io' : host}${path}`;
  const basic = options.credentials ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}` : undefined;
  const first = await request(url, { ...headers, ...(basic ? { authorization: basic } : {}) }, options);
  const challenge = first.headers.get('www-authenticate') ?? '';
  if (first.status !== 401 || !/^Bearer\s/i.test(challenge)) return first;
  const token = await bearerToken(challenge, basic, options);
  return token === undefined ? first : request(url, { ...headers, authorization: `Bearer ${token}` }, options);
}

async function bearerToken(challenge: string, basic: string | undefined, options: RegistryRequestOptions): Promise<string | undefined> {
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1] ?? '', match[2] ?? '']));
  if (!params['realm']) return undefined;
  const realm = new URL(params['realm']);
  for (const key of ['service', 'scope']) if (params[key]) realm.searchParams.set(key, params[key]);
  const answer = await request(realm.toString(), basic ? { authorization: basic } : {}, options);
  if (answer.status !== 200) return undefined;
  try {
    const json = JSON.parse(answer.body) as { token?: unknown; access_token?: unknown };
    const token = json.token ?? json.access_token;
    return typeof token === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}

async function request(url: string, headers: Record<string, string>, options: RegistryRequestOptions): Promise<RegistryAnswer> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const response = await fetch(url, { headers, signal, redirect: 'follow' });
    return { status: response.status, url, headers: response.headers, body: await response.text() };
  } catch (error) {
    options.signal?.throwIfAborted();
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new ToolError({
      code: 'REGISTRY_UNREACHABLE', type: ErrorType.unavailable, retryable: true,
      message: `the registry at ${new URL(url).host} could not be reached: ${why}`, details: { url }, cause: error,
    });
  }
}
