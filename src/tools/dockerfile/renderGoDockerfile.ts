import type { RepositoryAnalysis } from '../analysis/RepositoryAnalysisSchema.js';
import type { BaseImages } from './baseImages.js';
import { nonRootUser } from './nonRootUser.js';
import { renderHealthcheck } from './renderHealthcheck.js';

/**
 * Go: modules downloaded in their own layer, a static, stripped binary built in the golang
 * image, shipped alone on distroless `static:nonroot` (or on Alpine when a dependency needs cgo).
 */
export function renderGoDockerfile(analysis: RepositoryAnalysis, images: BaseImages): string[] {
  const cgo = images.flavour !== 'distroless';
  const user = nonRootUser(images.runtime, images.flavour);
  return [
    `FROM ${images.build} AS build`,
    ...(cgo ? ['RUN apk add --no-cache build-base'] : []),
    'WORKDIR /src',
    `COPY go.mod ${analysis.lockFile === undefined ? '' : `${analysis.lockFile} `}./`,
    'RUN go mod download',
    'COPY . .',
    `RUN CGO_ENABLED=${cgo ? 1 : 0} GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/app ${analysis.entryPoint ?? '.'}`,
    '',
    `FROM ${images.runtime} AS runtime`,
    ...(user.create === undefined ? [] : [user.create]),
    `COPY --from=build /out/app /app`,
    `ENV PORT=${analysis.port}`,
    `USER ${user.name}:${user.name}`,
    `EXPOSE ${analysis.port}`,
    ...renderHealthcheck({ image: images.runtime, port: analysis.port, path: analysis.healthCheckPath }),
    'ENTRYPOINT ["/app"]',
  ];
}
