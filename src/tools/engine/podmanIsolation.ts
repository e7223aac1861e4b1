import type { EngineRun } from './runEngine.js';

/**
 * Where podman's default OCI isolation cannot start a container for a RUN step (seen in
 * this project's sandbox: crun refuses with "cgroups in hybrid mode not supported" or
 * "setrlimit ... Operation not permitted"), `--isolation chroot` still runs it.
 */
const OCI_REFUSED = /cgroups in hybrid mode|did not get container create message|setrlimit `?RLIMIT_|OCI permission denied|OCI runtime error/i;

let ociRefused = false;

/**
 * The `--isolation` a podman build uses: the requested one, else `BUILDAH_ISOLATION` (which
 * podman reads itself: no flag), else chroot once OCI was refused in this process, else the
 * default (no flag).
 *
 * @example
 * const isolation = podmanIsolation(input.isolation); // 'chroot' | 'oci' | undefined
 */
export function podmanIsolation(requested: 'oci' | 'chroot' | undefined, env: NodeJS.ProcessEnv = process.env): 'oci' | 'chroot' | undefined {
  if (requested) return requested;
  if (env['BUILDAH_ISOLATION']) return undefined;
  return ociRefused ? 'chroot' : undefined;
}

/**
 * True when a failed podman build failed because the sandbox refused an OCI container,
 * not because of the Dockerfile; then later builds in this process go straight to chroot.
 *
 * @example
 * if (run.exitCode !== 0 && rememberIsolationRefused(run)) run = await buildWith('chroot');
 */
export function rememberIsolationRefused(run: EngineRun): boolean {
  const refused = OCI_REFUSED.test(`${run.stderr}\n${run.stdout}`);
  if (refused) ociRefused = true;
  return refused;
}
