import { z } from 'zod';

const Labels = z.record(z.string(), z.string());
const Port = z.number().int().min(1).max(65535);
const Name = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be a DNS-1123 name (lower case, digits, "-", ".")');

/** What every object has. */
export const ObjectBase = z.object({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.object({ name: Name, namespace: Name.optional(), labels: Labels.optional() }),
});
const Container = z.object({
  name: z.string().min(1),
  image: z.string().min(1),
  ports: z.array(z.object({ containerPort: Port, name: z.string().max(15).optional() })).optional(),
  livenessProbe: z.record(z.string(), z.unknown()).optional(),
  readinessProbe: z.record(z.string(), z.unknown()).optional(),
  resources: z.object({ requests: z.record(z.string(), z.union([z.string(), z.number()])).optional(), limits: z.record(z.string(), z.union([z.string(), z.number()])).optional() }).optional(),
});
export const DeploymentSchema = ObjectBase.extend({
  apiVersion: z.literal('apps/v1'),
  spec: z.object({
    replicas: z.number().int().min(0).optional(),
    selector: z.object({ matchLabels: Labels }),
    template: z.object({
      metadata: z.object({ labels: Labels }),
      spec: z.object({ containers: z.array(Container).min(1) }),
    }),
  }),
});
export type Deployment = z.infer<typeof DeploymentSchema>;
export const ServiceSchema = ObjectBase.extend({
  apiVersion: z.literal('v1'),
  spec: z.object({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).optional(),
    selector: Labels.optional(),
    ports: z.array(z.object({ name: z.string().optional(), port: Port, targetPort: z.union([Port, z.string().min(1)]).optional(), nodePort: Port.optional() })).min(1),
  }),
});
export type Service = z.infer<typeof ServiceSchema>;
export const IngressSchema = ObjectBase.extend({
  apiVersion: z.literal('networking.k8s.io/v1'),
  spec: z.object({
    rules: z.array(z.object({
      host: z.string().optional(),
      http: z.object({
        paths: z.array(z.object({
          path: z.string().startsWith('/').optional(),
          pathType: z.enum(['Exact', 'Prefix', 'ImplementationSpecific']),
          backend: z.object({ service: z.object({ name: z.string().min(1), port: z.object({ number: Port.optional(), name: z.string().optional() }) }) }),
        })).min(1),
      }),
    })).optional(),
  }),
});
export type Ingress = z.infer<typeof IngressSchema>;

/** The kinds whose structure is checked beyond the object base. */
export const KIND_SCHEMAS: Readonly<Record<string, z.ZodType>> = { Deployment: DeploymentSchema, Service: ServiceSchema, Ingress: IngressSchema };
