import { nonRootUser } from './nonRootUser.js';
import type { RenderContext } from './RenderContext.js';
import { renderServe } from './renderServe.js';

/**
 * .NET: `dotnet restore` on the project file alone (a cached layer), `dotnet publish` of a
 * Release build, and the output run on the ASP.NET Core (web) or .NET runtime image as the
 * numeric app user, with Kestrel bound to the analysed port.
 */
export function renderDotnetDockerfile({ analysis, images, profile }: RenderContext): string[] {
  const project = analysis.entryPoint ?? 'app.csproj';
  const assembly = analysis.artifact ?? `${project.replace(/^.*\//, '').replace(/\.\w+proj$/, '')}.dll`;
  const user = nonRootUser(images.flavour);
  const env = profile.port === undefined ? [] : [`ENV ASPNETCORE_HTTP_PORTS=${profile.port} DOTNET_EnableDiagnostics=0`];
  return [
    `FROM ${images.build} AS build`,
    'WORKDIR /src',
    `COPY ${project} ./${project.includes('/') ? project.slice(0, project.lastIndexOf('/') + 1) : ''}`,
    `RUN dotnet restore ${project}`,
    'COPY . .',
    `RUN dotnet publish ${project} -c Release -o /out --no-restore`,
    '',
    `FROM ${images.runtime} AS runtime`,
    'WORKDIR /app',
    ...(user.create === undefined ? [] : [user.create]),
    'COPY --from=build /out ./',
    ...env,
    ...renderServe(profile, images.runtime, `ENTRYPOINT ["dotnet", "${assembly}"]`),
  ];
}
