// The deploy recipes parsed and cross-checked against the configuration they deploy: ports, probe
// paths, the shutdown timing chain, which variables are secret, and that every variable the
// manifests set is one the gateway accepts.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { SHUTDOWN_GRACE_MS } from '../../src/lifecycle.js';
import { composeDeploySupergraph } from '../../deploy/supergraph.js';
import { ROOT } from './production-harness.js';

const defaults = loadConfig({});

function yamlFile(path: string): unknown[] {
  return parseAllDocuments(readFileSync(join(ROOT, path), 'utf8'), { merge: true }).map((d) => {
    if (d.errors.length > 0) throw new Error(`${path}: ${d.errors[0]?.message}`);
    return d.toJS();
  });
}

const K8S = 'deploy/k8s';
const manifests = readdirSync(join(ROOT, K8S))
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => yamlFile(`${K8S}/${f}`));
const kinds = z.object({ kind: z.string() }).passthrough();
function ofKind<T extends z.ZodType>(kind: string, schema: T): z.infer<T> {
  const found = manifests.filter((m) => kinds.parse(m).kind === kind);
  expect(found, kind).toHaveLength(1);
  return schema.parse(found[0]);
}

const labels = z.record(z.string(), z.string());
const probe = z.object({ httpGet: z.object({ path: z.string(), port: z.string() }) });
const deployment = ofKind(
  'Deployment',
  z.object({
    metadata: z.object({ name: z.string() }),
    spec: z.object({
      selector: z.object({ matchLabels: labels }),
      template: z.object({
        metadata: z.object({ labels }),
        spec: z.object({
          terminationGracePeriodSeconds: z.number(),
          securityContext: z.object({ runAsNonRoot: z.literal(true), runAsUser: z.number() }),
          containers: z
            .array(
              z.object({
                ports: z.array(z.object({ name: z.string(), containerPort: z.number() })),
                envFrom: z.array(
                  z.object({
                    configMapRef: z.object({ name: z.string() }).optional(),
                    secretRef: z.object({ name: z.string() }).optional(),
                  }),
                ),
                readinessProbe: probe,
                livenessProbe: probe,
                lifecycle: z.object({
                  preStop: z.object({
                    exec: z.object({ command: z.tuple([z.literal('sleep'), z.string()]) }),
                  }),
                }),
                resources: z.object({
                  requests: z.object({ cpu: z.string(), memory: z.string() }),
                }),
                securityContext: z.object({ allowPrivilegeEscalation: z.literal(false) }),
              }),
            )
            .length(1),
        }),
      }),
    }),
  }),
);
const pod = deployment.spec.template.spec;
const [container] = pod.containers;
const configMap = ofKind(
  'ConfigMap',
  z.object({ metadata: z.object({ name: z.string() }), data: z.record(z.string(), z.string()) }),
);
const secret = ofKind(
  'Secret',
  z.object({
    metadata: z.object({ name: z.string() }),
    stringData: z.record(z.string(), z.string()),
  }),
);

const SECRET_NAMES = [
  'USERS_API_CLIENT_SECRET',
  'USERS_API_PASSWORD',
  'USERS_API_REFRESH_TOKEN',
  'VCARD_API_PASSWORD',
  'VCARD_API_KEY',
  'CURSOR_SECRET',
];
const looksSecret = /SECRET|PASSWORD|TOKEN|_KEY$|REDIS_URL/;

describe('deploy/k8s', () => {
  it('serves on the configured port and probes /ready (readiness) and /health (liveness)', () => {
    const port = Number(configMap.data['PORT'] ?? defaults.port);
    expect(port).toBe(defaults.port);
    expect(container?.ports).toEqual([{ name: 'http', containerPort: port }]);
    expect(container?.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container?.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const service = ofKind(
      'Service',
      z.object({
        spec: z.object({
          selector: labels,
          ports: z.array(z.object({ targetPort: z.string() })).length(1),
        }),
      }),
    );
    expect(service.spec.ports[0]?.targetPort).toBe('http');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  it('gives the pod longer than preStop + SHUTDOWN_TIMEOUT_MS + the close grace to stop', () => {
    const shutdownMs = Number(configMap.data['SHUTDOWN_TIMEOUT_MS'] ?? defaults.shutdownTimeoutMs);
    const preStopMs = Number(container?.lifecycle.preStop.exec.command[1]) * 1000;
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      preStopMs + shutdownMs + SHUTDOWN_GRACE_MS,
    );
  });

  it('runs as non-root with resource requests; HPA and PDB select the Deployment', () => {
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container?.resources.requests.cpu).toMatch(/^\d+m$/);
    const hpa = ofKind(
      'HorizontalPodAutoscaler',
      z.object({
        spec: z.object({
          scaleTargetRef: z.object({ kind: z.literal('Deployment'), name: z.string() }),
          minReplicas: z.number(),
        }),
      }),
    );
    expect(hpa.spec.scaleTargetRef.name).toBe(deployment.metadata.name);
    const pdb = ofKind(
      'PodDisruptionBudget',
      z.object({
        spec: z.object({ minAvailable: z.number(), selector: z.object({ matchLabels: labels }) }),
      }),
    );
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
  });

  it('keeps credentials in the Secret only, and the pod reads both', () => {
    expect(Object.keys(secret.stringData)).toEqual(expect.arrayContaining(SECRET_NAMES));
    expect(Object.keys(configMap.data).filter((k) => looksSecret.test(k))).toEqual([]);
    expect(container?.envFrom).toEqual([
      { configMapRef: { name: configMap.metadata.name } },
      { secretRef: { name: secret.metadata.name } },
    ]);
  });

  it('sets only variables the gateway accepts, and they start it in production mode', () => {
    const env = { ...configMap.data, ...secret.stringData };
    const config = loadConfig(env);
    expect(config.production).toBe(true);
    expect(config.sandbox).toBe(false);
    expect(config.httpHeadersTimeoutMs).toBe(defaults.httpHeadersTimeoutMs);
    expect(config.httpRequestTimeoutMs).toBe(defaults.httpRequestTimeoutMs);
  });
});

const composeFile = z
  .object({
    services: z.record(
      z.string(),
      z
        .object({
          command: z.array(z.string()).optional(),
          environment: z.record(z.string(), z.string()).optional(),
          deploy: z.object({ replicas: z.number() }).optional(),
          stop_grace_period: z.string().optional(),
          ports: z.array(z.string()).optional(),
          volumes: z.array(z.string()).optional(),
          image: z.string(),
        })
        .passthrough(),
    ),
  })
  .parse(yamlFile('deploy/compose.yaml')[0]);

describe('deploy/compose.yaml', () => {
  const { gateway, lb, router, redis, simulators } = composeFile.services;

  it('runs 3 gateway replicas on the image, behind the load balancer, with Redis and the simulators', () => {
    expect(gateway?.deploy?.replicas).toBe(3);
    expect(gateway?.image).toBe(simulators?.image);
    expect(redis?.image).toMatch(/^redis:\d+\.\d+\.\d+/);
    expect(simulators?.command).toEqual(['node', 'dist/sandbox/main.js']);
    const nginx = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
    expect(nginx).toContain(`server gateway:${gateway?.environment?.['PORT']} resolve;`);
    expect(lb?.volumes).toContain('./nginx.conf:/etc/nginx/conf.d/default.conf:ro');
    expect(nginx).toMatch(/listen 8080;/);
  });

  it('starts the gateway in production mode against the simulators, with the shutdown chain in order', () => {
    const env = gateway?.environment ?? {};
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{\w+:-([^}]*)\}/g, '$1')]),
    );
    const config = loadConfig(resolved);
    expect(config).toMatchObject({ production: true, sandbox: false, port: defaults.port });
    expect(config.cache.redisUrl).toBe('redis://redis:6379');
    expect(new URL(config.usersApiUrl ?? '').port).toBe(
      simulators?.environment?.['USERS_SIM_PORT'],
    );
    expect(new URL(config.vcardApiUrl ?? '').port).toBe(
      simulators?.environment?.['VCARD_SIM_PORT'],
    );
    const grace = Number(/^(\d+)s$/.exec(gateway?.stop_grace_period ?? '')?.[1]) * 1000;
    expect(grace).toBeGreaterThan(config.shutdownTimeoutMs + SHUTDOWN_GRACE_MS);
  });

  it('serves the committed supergraph through Hive Gateway, routed to the load balancer', () => {
    expect(router?.image).toMatch(/^ghcr\.io\/graphql-hive\/gateway:\d+\.\d+\.\d+$/);
    expect(router?.volumes).toContain('./supergraph.graphql:/gateway/supergraph.graphql:ro');
    const committed = readFileSync(join(ROOT, 'deploy/supergraph.graphql'), 'utf8');
    // Stale after a schema change: `npx tsx deploy/supergraph.ts` rewrites it.
    expect(committed).toBe(composeDeploySupergraph());
    expect(committed).toContain('url: "http://lb:8080/graphql"');
  });
});
