import { z } from 'zod';

/** One finding of `validate_manifests`: `document` counts YAML documents from 0 across all files read. */
export const ManifestIssueSchema = z.object({
  /** Rule id, one of {@link ManifestRule}. */
  rule: z.string(),
  document: z.number().int().nonnegative(),
  file: z.string().optional(),
  /** Path inside the document (`spec.template.spec.containers[0].image`). */
  path: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  /** How to fix it. */
  fix: z.string(),
});
export type ManifestIssue = z.infer<typeof ManifestIssueSchema>;

/**
 * The manifest rules with their default severity and usual fix. Errors are what `kubectl apply`
 * rejects, what keeps pods from starting or receiving traffic, and what hands a container the
 * node; warnings are hardening a workload should have.
 */
export const ManifestRule = {
  YAML_SYNTAX: { severity: 'error', fix: 'fix the YAML at the line and column given' },
  NO_DOCUMENTS: { severity: 'error', fix: 'give at least one Kubernetes object' },
  SCHEMA_INVALID: { severity: 'error', fix: 'correct the field as the message says' },
  K8S_SCHEMA: { severity: 'error', fix: "give the field the type, format or value Kubernetes' OpenAPI schema requires (kubectl explain <kind>.<path>)" },
  K8S_UNKNOWN_FIELD: { severity: 'error', fix: 'remove the field or correct its spelling: the API server refuses it (strict field validation) or silently drops it' },
  K8S_KIND_UNKNOWN: { severity: 'warning', fix: 'check apiVersion and kind; a custom resource is checked only by its own CRD schema' },
  DUPLICATE_OBJECT: { severity: 'error', fix: 'give each object of a kind a unique name' },
  SELECTOR_MISMATCH: { severity: 'error', fix: 'make spec.selector.matchLabels equal to the pod template labels' },
  SERVICE_SELECTOR_MISMATCH: { severity: 'error', fix: "make the Service selector match the workload's pod labels" },
  TARGET_PORT_UNKNOWN: { severity: 'error', fix: 'point targetPort at a containerPort (number) or a port name the container declares' },
  PROBE_PORT_UNKNOWN: { severity: 'error', fix: "probe a port the container declares in ports (by number or name)" },
  INGRESS_PORT_UNKNOWN: { severity: 'error', fix: 'use a port (number or name) the backend Service declares' },
  IMAGE_NOT_PINNED: { severity: 'error', fix: 'pin a version tag or a digest (api:1.4.2, api@sha256:...)' },
  REGISTRY_NOT_ALLOWED: { severity: 'error', fix: 'pull the image from an allowed registry (see the policy allowedRegistries)' },
  PRIVILEGED: { severity: 'error', fix: 'remove privileged: true; add the one capability needed instead' },
  HOST_NAMESPACE: { severity: 'error', fix: 'remove hostNetwork/hostPID/hostIPC; expose the app through a Service' },
  DANGEROUS_CAPABILITY: { severity: 'error', fix: 'drop the capability; SYS_ADMIN, NET_ADMIN, SYS_PTRACE and ALL amount to root on the node' },
  RUNS_AS_ROOT: { severity: 'error', fix: 'run as a non-root uid (runAsUser: 10001, runAsNonRoot: true)' },
  SECRET_IN_ENV: { severity: 'error', fix: 'move the value into a Secret and use valueFrom.secretKeyRef' },
  SECURITY_CONTEXT_INEFFECTIVE: { severity: 'error', fix: 'put container-only fields (privileged, allowPrivilegeEscalation, capabilities, readOnlyRootFilesystem) in the container securityContext, and do not combine privileged with allowPrivilegeEscalation: false' },
  SECURITY_CONTEXT_MISSING: { severity: 'warning', fix: 'set securityContext: runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false, capabilities.drop: [ALL]' },
  RUN_AS_USER_MISSING: { severity: 'warning', fix: 'set runAsUser (and runAsGroup) to the numeric uid of the image: with a named USER the kubelet cannot verify runAsNonRoot and refuses to start the container' },
  PRIVILEGE_ESCALATION: { severity: 'warning', fix: 'set allowPrivilegeEscalation: false' },
  CAPABILITIES_NOT_DROPPED: { severity: 'warning', fix: 'set capabilities.drop: [ALL]' },
  HOST_PATH_VOLUME: { severity: 'warning', fix: 'use an emptyDir, a ConfigMap or a PersistentVolumeClaim instead of a hostPath' },
  TAG_FLOATING: { severity: 'warning', fix: 'pin the full version with its patch number, or a digest' },
  TAG_END_OF_LIFE: { severity: 'warning', fix: 'move to a supported release line' },
  DEPRECATED_IMAGE: { severity: 'warning', fix: 'move to the maintained image named in the message' },
  PROBE_MISSING: { severity: 'warning', fix: 'add readinessProbe and livenessProbe on the container port' },
  RESOURCES_MISSING: { severity: 'warning', fix: 'set resources.requests and resources.limits (cpu, memory)' },
  SERVICE_NO_SELECTOR: { severity: 'warning', fix: 'add a selector, or manage the Endpoints yourself' },
  INGRESS_BACKEND_UNKNOWN: { severity: 'warning', fix: 'add the Service, or check its name' },
  READ_ONLY_ROOT_FILESYSTEM: { severity: 'info', fix: 'set readOnlyRootFilesystem: true and mount an emptyDir where the app writes' },
} as const satisfies Record<string, { severity: 'error' | 'warning' | 'info'; fix: string }>;
export type ManifestRule = keyof typeof ManifestRule;

/** Adds a finding at a path of the current document; severity and fix default from the rule table. */
export type At = (rule: ManifestRule, path: string, message: string, overrides?: { severity?: ManifestIssue['severity']; fix?: string }) => void;
