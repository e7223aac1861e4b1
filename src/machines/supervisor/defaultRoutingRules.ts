import type { ToolRegistry } from '../../actors/ToolRegistry.js';
import type { FailureRoutingRule } from './FailureRoutingRule.js';

// The registry host of the failed push: its `registry` input, else the tag's first part when
// that looks like a host (has a dot or a port), else Docker Hub.
const PUSH_REGISTRY =
  "{'registry': has(input.registry) ? input.registry : " +
  "(input.tag.split('/').size() > 1 && (input.tag.split('/')[0].contains('.') || input.tag.split('/')[0].contains(':')) " +
  "? input.tag.split('/')[0] : 'docker.io')}";

/**
 * The routing rules of the containerization tool pack: a Dockerfile that does not parse or a
 * build that fails, and a Dockerfile that fails validation, go to `generate_remediation` (which
 * patches the Dockerfile and answers `retry`); a push the registry refuses goes to
 * `validate_credentials` (`retry` when credentials are there, else `escalate` with the
 * `docker login` hint); vulnerabilities found by the image scan go to `generate_remediation`
 * (a slimmer base image). Pass them through {@link activeRules} so that only those whose tools
 * are registered apply.
 *
 * @example
 * const runtime = createRuntime({ tools, routingRules: activeRules(defaultRoutingRules, createToolRegistry(tools)) });
 */
export const defaultRoutingRules: readonly FailureRoutingRule[] = Object.freeze([
  {
    fromTool: 'build_image',
    errorCodes: ['DOCKERFILE_INVALID', 'BUILD_FAILED'],
    toTool: 'generate_remediation',
    priority: 100,
    maxRoutes: 3,
    description: 'a Dockerfile that does not parse or build is patched, then the build runs again',
  },
  {
    fromTool: 'validate_dockerfile',
    errorCodes: ['DOCKERFILE_INVALID'],
    toTool: 'generate_remediation',
    priority: 100,
    maxRoutes: 3,
    description: 'a Dockerfile with lint errors is patched, then validated again',
  },
  {
    fromTool: 'push_image',
    errorTypes: ['auth_error'],
    errorCodes: ['REGISTRY_AUTH_FAILED'],
    toTool: 'validate_credentials',
    priority: 100,
    maxRoutes: 1,
    input: PUSH_REGISTRY,
    description: 'a refused push checks the stored registry credentials: retry when present, escalate with a login hint when not',
  },
  {
    fromTool: 'scan_image_security',
    errorCodes: ['VULNERABILITIES_FOUND'],
    toTool: 'generate_remediation',
    priority: 100,
    maxRoutes: 2,
    description: 'vulnerabilities found by the scan move the image to a smaller current base',
  },
]);

/**
 * The rules whose `toTool` (and `fromTool`, when set) are registered: the others could never
 * fire, and would fail rule validation.
 *
 * @example
 * activeRules(defaultRoutingRules, createToolRegistry([buildImage, generateRemediation])); // the build_image rule
 */
export function activeRules(rules: readonly FailureRoutingRule[], registry: Pick<ToolRegistry, 'has'>): FailureRoutingRule[] {
  return rules.filter((rule) => registry.has(rule.toTool) && (rule.fromTool === undefined || registry.has(rule.fromTool)));
}
