// image_pull analyzer: kubelet pull failures per container, classified from the registry's answer.
import { describe, it, expect } from 'vitest';
import { classifyPullFailure, imagePull } from '../../../../src/agent/analyzers/image-pull.js';
import {
  evidenceFrom,
  pod,
  scenarios,
  singleRevision,
  statuses,
  webContainer,
  PULL_NOT_FOUND,
} from '../../../fixtures/index.js';

describe('imagePull', () => {
  it('reports image, reason and the kubelet message of an ImagePullBackOff', () => {
    const [f, ...rest] = imagePull.analyze(evidenceFrom(scenarios.imagePull()));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ category: 'image_pull', severity: 'critical', container: 'web' });
    expect(f!.facts).toMatchObject({
      image: 'nginx:1.99',
      reason: 'ImagePullBackOff',
      pullFailure: 'not_found',
      signal: 'explicit',
      sources: 'events,status',
    });
    expect(f!.facts.kubeletMessage).toBe(`Failed to pull image "nginx:1.99": ${PULL_NOT_FOUND}`);
    expect(f!.evidence).toContain('Back-off pulling image "nginx:1.99"');
    expect(f!.message).toBe(
      'Container web cannot pull image "nginx:1.99": the image or tag does not exist in the registry (ImagePullBackOff) in 1 pod.',
    );
  });

  it('finds nothing in a healthy workload', () => {
    expect(imagePull.analyze(evidenceFrom(scenarios.healthy()))).toEqual([]);
  });

  it('looks at the current revision during a rollout (old pods are healthy)', () => {
    const [f] = imagePull.analyze(evidenceFrom(scenarios.imagePullRollout()));
    expect(f!.facts.pod).toBe('web-7d9f8c6b5d-abcde');
  });

  it('ignores pods that are being deleted', () => {
    const input = scenarios.healthy();
    const rs = input.replicaSets![0]!;
    const dying = pod(rs, {
      suffix: 'zz9zz',
      deleting: true,
      containerStatuses: [statuses.imagePullBackOff('web', 'nginx:1.99')],
    });
    expect(imagePull.analyze(evidenceFrom({ ...input, pods: [...input.pods!, dying] }))).toEqual([]);
  });

  it('reports each failing container of a multi-container pod, and only those', () => {
    const containers = [
      webContainer('nginx:1.25'),
      { name: 'proxy', image: 'envoyproxy/envoy:v9.9.9' },
      { name: 'agent', image: 'ghcr.io/acme/private:1.0' },
    ];
    const input = singleRevision(
      { containers },
      () => [
        statuses.ready('web', 'nginx:1.25'),
        statuses.errImagePull(
          'proxy',
          'envoyproxy/envoy:v9.9.9',
          'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/envoyproxy/envoy:v9.9.9": failed to resolve reference "docker.io/envoyproxy/envoy:v9.9.9": docker.io/envoyproxy/envoy:v9.9.9: not found',
        ),
        statuses.imagePullBackOff('agent', 'ghcr.io/acme/private:1.0'),
      ],
      0,
    );
    const findings = imagePull.analyze(evidenceFrom(input));
    expect(findings.map((f) => [f.container, f.facts.image, f.facts.reason])).toEqual([
      ['proxy', 'envoyproxy/envoy:v9.9.9', 'ErrImagePull'],
      ['agent', 'ghcr.io/acme/private:1.0', 'ImagePullBackOff'],
    ]);
    expect(findings[0]!.facts.pullFailure).toBe('not_found');
    expect(findings[1]!.facts.sources).toBe('status');
  });

  it('groups the same container across pods into one finding', () => {
    const input = singleRevision(
      { replicas: 3, containers: [webContainer('nginx:1.99')] },
      () => [statuses.imagePullBackOff('web', 'nginx:1.99')],
      0,
    );
    const findings = imagePull.analyze(evidenceFrom(input));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.facts.pods).toBe(3);
  });

  it.each([
    ['not_found', [PULL_NOT_FOUND]],
    [
      'unauthorized',
      [
        'rpc error: code = Unknown desc = failed to pull and unpack image "ghcr.io/acme/private:1.0": failed to resolve reference "ghcr.io/acme/private:1.0": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Fprivate%3Apull&service=ghcr.io: 401 Unauthorized',
      ],
    ],
    [
      'invalid_name',
      [
        'InvalidImageName',
        'Failed to apply default image tag "nginx::1": couldn\'t parse image name "nginx::1": invalid reference format',
      ],
    ],
    [
      'network',
      [
        'rpc error: code = Unknown desc = failed to pull and unpack image "registry.internal/app:1": failed to resolve reference "registry.internal/app:1": failed to do request: Head "https://registry.internal/v2/app/manifests/1": dial tcp: lookup registry.internal on 10.96.0.10:53: no such host',
      ],
    ],
    ['unknown', ['Back-off pulling image "nginx:1.99"']],
  ] as const)('classifies %s pull failures', (expected, texts) => {
    expect(classifyPullFailure([...texts])).toBe(expected);
  });
});
