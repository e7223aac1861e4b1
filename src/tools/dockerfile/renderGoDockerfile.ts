import { nonRootUser } from './nonRootUser.js';
import type { RenderContext } from './RenderContext.js';
import { renderServe } from './renderServe.js';

/**
 * Go: modules downloaded in their own layer (or tidied first when `go.sum` is missing, which
 * `go build` would otherwise refuse), a static, stripped binary built in the golang image,
 * shipped alone on distroless `static` (or on Alpine when a dependency needs cgo).
 */
export function renderGoDockerfile({ analysis, images, profile }: RenderContext): string[] {
  const cgo = images.flavour !== 'distroless';
  const user = nonRootUser(images.flavour);
  const download = analysis.lockFile === undefined ? ['COPY go.mod ./', 'COPY . .', 'RUN go mod tidy'] : [`COPY go.mod ${analysis.lockFile} ./`, 'RUN go mod download', 'COPY . .'];
  return [
    `FROM ${images.build} AS build`,
    ...(cgo ? ['RUN apk add --no-cache build-base'] : []),
    'WORKDIR /src',
    ...download,
    `RUN CGO_ENABLED=${cgo ? 1 : 0} GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/app ${analysis.entryPoint ?? '.'}`,
    '',
    `FROM ${images.runtime} AS runtime`,
    ...(user.create === undefined ? [] : [user.create]),
    'COPY --from=build /out/app /app',
    ...(profile.port === undefined ? [] : [`ENV PORT=${profile.port}`]),
    ...renderServe(profile, images.runtime, 'ENTRYPOINT ["/app"]'),
  ];
}
