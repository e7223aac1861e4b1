import { execForm } from './execForm.js';
import { nonRootUser } from './nonRootUser.js';
import type { RenderContext } from './RenderContext.js';
import { renderServe } from './renderServe.js';

/** Tools that turn a Poetry/Pipenv project into a requirements file, pinned like the images. */
const POETRY = 'poetry==1.8.5';
const PIPENV = 'pipenv==2024.4.0';

/**
 * Python: dependencies installed into a virtualenv (`/opt/venv`) in a build stage, so the
 * runtime image carries no compiler, pip cache or Poetry/Pipenv; the venv and the source are
 * copied into a fresh slim image that runs as the numeric app user, without writing bytecode
 * (the root filesystem is read-only).
 */
export function renderPythonDockerfile({ analysis, images, profile }: RenderContext): string[] {
  const pip = '/opt/venv/bin/pip install';
  let install: string[];
  if (analysis.packageManager === 'poetry') {
    install = [
      `COPY pyproject.toml ${analysis.lockFile ?? ''}`.trimEnd() + ' ./',
      `RUN pip install ${POETRY} && poetry export --only main --format requirements.txt --output /tmp/requirements.txt && ${pip} -r /tmp/requirements.txt`,
    ];
  } else if (analysis.packageManager === 'pipenv') {
    install = [`COPY Pipfile ${analysis.lockFile ?? ''}`.trimEnd() + ' ./', `RUN pip install ${PIPENV} && pipenv requirements > /tmp/requirements.txt && ${pip} -r /tmp/requirements.txt`];
  } else if (analysis.buildCommand?.includes('requirements.txt') === true) {
    install = ['COPY requirements.txt ./', `RUN ${pip} -r requirements.txt`];
  } else {
    install = ['COPY . .', `RUN ${pip} .`];
  }
  const user = nonRootUser(images.flavour);
  return [
    `FROM ${images.build} AS build`,
    'ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1',
    'WORKDIR /app',
    'RUN python -m venv /opt/venv',
    ...install,
    '',
    `FROM ${images.runtime} AS runtime`,
    `ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH="/opt/venv/bin:$PATH"${profile.port === undefined ? '' : ` PORT=${profile.port}`}`,
    'WORKDIR /app',
    ...(user.create === undefined ? [] : [user.create]),
    'COPY --from=build /opt/venv /opt/venv',
    'COPY . .',
    ...renderServe(profile, images.runtime, `CMD ${execForm(analysis.startCommand)}`),
  ];
}
