import { nonRootUser } from './nonRootUser.js';
import type { RenderContext } from './RenderContext.js';
import { renderServe } from './renderServe.js';

/**
 * Rust: a release build against musl in the Alpine Rust image (`--locked` when `Cargo.lock` is
 * committed), the binary shipped alone on distroless `static`, or on Alpine with the C libraries
 * it links (OpenSSL, SQLite).
 */
export function renderRustDockerfile({ analysis, images, profile }: RenderContext): string[] {
  const libc = images.flavour !== 'distroless';
  const user = nonRootUser(images.flavour);
  const binary = analysis.artifact ?? `target/release/${analysis.entryPoint ?? 'app'}`;
  return [
    ...(analysis.workspace === undefined ? [] : ['# Build context: the workspace root.']),
    `FROM ${images.build} AS build`,
    `RUN apk add --no-cache musl-dev${libc ? ' pkgconfig openssl-dev' : ''}`,
    'WORKDIR /src',
    'COPY . .',
    // A workspace member builds from the workspace root, which holds the lock file and target/.
    `RUN cargo build --release${analysis.lockFile === undefined ? '' : ' --locked'}${analysis.workspace?.manager === 'cargo' ? ` --bin ${analysis.entryPoint ?? 'app'}` : ''} && mkdir -p /out && cp ${binary} /out/app`,
    '',
    `FROM ${images.runtime} AS runtime`,
    ...(libc ? ['RUN apk add --no-cache libgcc libssl3'] : []),
    ...(user.create === undefined ? [] : [user.create]),
    'COPY --from=build /out/app /app',
    ...(profile.port === undefined ? [] : [`ENV PORT=${profile.port}`]),
    ...renderServe(profile, images.runtime, 'ENTRYPOINT ["/app"]'),
  ];
}
