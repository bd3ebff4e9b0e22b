// missing_config analyzer: absent ConfigMaps, Secrets, keys and PVCs, merged from status, events and reference checks.
import { describe, it, expect } from 'vitest';
import { missingConfig, parseMissingReference } from '../../../../src/agent/analyzers/missing-config.js';
import {
  configMap,
  containerStatus,
  event,
  evidenceFrom,
  running,
  scenarios,
  secret,
  singleRevision,
  statuses,
  waiting,
  webContainer,
} from '../../../fixtures/index.js';

describe('missingConfig', () => {
  it('merges status, event and reference check of a missing ConfigMap into one finding', () => {
    const [f, ...rest] = missingConfig.analyze(evidenceFrom(scenarios.missingConfig()));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ category: 'missing_config', severity: 'critical', container: 'web' });
    expect(f!.facts).toMatchObject({
      kind: 'ConfigMap',
      name: 'app-config',
      key: 'LOG_LEVEL',
      namespace: 'shop',
      missing: 'object',
      usedBy: 'container web env LOG_LEVEL',
      optional: false,
      sources: 'events,references,status',
    });
    expect(f!.evidence).toEqual([
      'CreateContainerConfigError: configmap "app-config" not found',
      'Error: configmap "app-config" not found',
      'ConfigMap app-config key LOG_LEVEL: not found (used by container web env LOG_LEVEL)',
    ]);
  });

  it('reports a key missing from an existing ConfigMap', () => {
    const [f, ...rest] = missingConfig.analyze(evidenceFrom(scenarios.missingConfig(true)));
    expect(rest).toEqual([]);
    expect(f!.facts).toMatchObject({
      kind: 'ConfigMap',
      name: 'app-config',
      key: 'LOG_LEVEL',
      missing: 'key',
      namespace: 'shop',
    });
    expect(f!.message).toBe(
      'ConfigMap app-config in namespace shop has no key LOG_LEVEL, which container web env LOG_LEVEL needs.',
    );
  });

  it('reports a missing Secret named by a secretKeyRef', () => {
    const env = [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }];
    const input = singleRevision(
      { containers: [webContainer('nginx:1.25', { env })] },
      () => [statuses.createContainerConfigError('web', 'nginx:1.25', 'secret "db" not found')],
      0,
    );
    const [f] = missingConfig.analyze(evidenceFrom(input));
    expect(f!.facts).toMatchObject({ kind: 'Secret', name: 'db', key: 'password', missing: 'object' });
  });

  it('ignores references marked optional', () => {
    const env = [
      {
        name: 'LOG_LEVEL',
        valueFrom: { configMapKeyRef: { name: 'app-config', key: 'LOG_LEVEL', optional: true } },
      },
    ];
    const input = singleRevision(
      { containers: [webContainer('nginx:1.25', { env })] },
      () => [statuses.ready('web', 'nginx:1.25')],
      1,
    );
    expect(missingConfig.analyze(evidenceFrom(input))).toEqual([]);
  });

  it('warns about a broken reference no pod has tripped over yet', () => {
    const envFrom = [{ secretRef: { name: 'api-keys' } }];
    const input = singleRevision(
      { containers: [webContainer('nginx:1.25', { envFrom })] },
      () => [statuses.ready('web', 'nginx:1.25')],
      1,
    );
    const [f] = missingConfig.analyze(evidenceFrom({ ...input, secrets: [secret('other', 'shop', ['x'])] }));
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f!.facts).toMatchObject({
      kind: 'Secret',
      name: 'api-keys',
      key: null,
      usedBy: 'container web envFrom',
      sources: 'references',
    });
  });

  it('reads a missing ConfigMap volume from the FailedMount event', () => {
    const volumes = [{ name: 'config', configMap: { name: 'nginx-conf' } }];
    const input = singleRevision(
      { containers: [webContainer('nginx:1.25')], volumes },
      () => [containerStatus('web', 'nginx:1.25', { state: waiting('ContainerCreating') })],
      0,
    );
    const events = [
      event(
        input.pods![0]!,
        'FailedMount',
        'MountVolume.SetUp failed for volume "config" : configmap "nginx-conf" not found',
        { count: 12 },
      ),
    ];
    const [f, ...rest] = missingConfig.analyze(evidenceFrom({ ...input, events }));
    expect(rest).toEqual([]);
    expect(f!.facts).toMatchObject({
      kind: 'ConfigMap',
      name: 'nginx-conf',
      usedBy: 'volume config',
      sources: 'events,references',
    });
    expect(f!.severity).toBe('critical');
  });

  it('names the right container of a multi-container pod', () => {
    const env = [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'sidecar-config', key: 'MODE' } } }];
    const containers = [webContainer('nginx:1.25'), { name: 'agent', image: 'ghcr.io/acme/agent:1', env }];
    const input = singleRevision(
      { containers },
      () => [
        containerStatus('web', 'nginx:1.25', { state: running(), ready: true }),
        statuses.createContainerConfigError(
          'agent',
          'ghcr.io/acme/agent:1',
          "couldn't find key MODE in ConfigMap shop/sidecar-config",
        ),
      ],
      0,
    );
    const findings = missingConfig.analyze(
      evidenceFrom({ ...input, configMaps: [configMap('sidecar-config', 'shop', {})] }),
    );
    expect(findings.map((f) => [f.container, f.facts.name, f.facts.missing])).toEqual([
      ['agent', 'sidecar-config', 'key'],
    ]);
  });

  it('finds nothing in a healthy workload', () => {
    expect(missingConfig.analyze(evidenceFrom(scenarios.healthy()))).toEqual([]);
  });

  it.each([
    [
      'configmap "app-config" not found',
      { kind: 'ConfigMap', name: 'app-config', key: null, missing: 'object' },
    ],
    [
      "couldn't find key LOG_LEVEL in ConfigMap shop/app-config",
      { kind: 'ConfigMap', name: 'app-config', namespace: 'shop', key: 'LOG_LEVEL', missing: 'key' },
    ],
    ['secret "db" not found', { kind: 'Secret', name: 'db', missing: 'object' }],
    [
      "couldn't find key password in Secret shop/db",
      { kind: 'Secret', name: 'db', key: 'password', missing: 'key' },
    ],
    [
      '0/3 nodes are available: persistentvolumeclaim "data" not found.',
      { kind: 'PersistentVolumeClaim', name: 'data' },
    ],
  ])('parses %j', (message, expected) => {
    expect(parseMissingReference(message)).toMatchObject(expected);
  });
});
