// Caps: replicas, CPU/memory and image registries the change sets stay within the configured maxima.
import { describe, expect, it } from 'vitest';
import type { KubeObject, PatchOp } from '../../../src/domain/index.js';
import type { PolicyConfig } from '../../../src/config/config.js';
import { capacityCuts, caps } from '../../../src/safety/caps.js';
import { liveDeployment, patched, policyConfig, policyTarget } from '../../fixtures/policy-fixtures.js';

const C0 = '/spec/template/spec/containers/0';

function check(ops: PatchOp[], policy: Partial<PolicyConfig> = {}, live = liveDeployment()): string[] {
  return caps({ target: policyTarget, live, proposed: patched(ops, live), policy: policyConfig(policy) });
}

describe('caps refuses', () => {
  it.each<[string, PatchOp[], Partial<PolicyConfig>, string | string[]]>([
    [
      'memory over the cap',
      [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '8Gi' }],
      {},
      'container app: memory limit 8Gi is above the maximum of 4Gi (AUTOFIX_MAX_MEMORY)',
    ],
    [
      'a memory request over the cap',
      [{ op: 'replace', path: `${C0}/resources/requests/memory`, value: '5G' }],
      {},
      [
        'container app: memory request 5G is above the maximum of 4Gi (AUTOFIX_MAX_MEMORY)',
        'container app: memory request 5G is above its limit 64Mi',
      ],
    ],
    [
      'cpu over the cap',
      [{ op: 'replace', path: `${C0}/resources/limits/cpu`, value: '6' }],
      {},
      [
        'container app: cpu limit 6 is above the maximum of 4 (AUTOFIX_MAX_CPU)',
        "the workload's total cpu limits would be 3 × 6 = 18, above the maximum of 16 (AUTOFIX_MAX_TOTAL_CPU)",
      ],
    ],
    [
      'memory without a unit (bytes)',
      [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '512' }],
      {},
      [
        'container app: memory limit 512 is 512 bytes, below the floor of 4Mi: the container could not run on it; check the unit',
        'container app: memory request 32Mi is above its limit 512',
      ],
    ],
    [
      'memory in milli-bytes',
      [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '900000000m' }],
      {},
      [
        'container app: memory limit 900000000m is 900000 bytes, below the floor of 4Mi: the container could not run on it; check the unit',
        'container app: memory request 32Mi is above its limit 900000000m',
      ],
    ],
    [
      'memory of 1500m (1.5 bytes)',
      [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '1500m' }],
      {},
      [
        'container app: memory limit 1500m is 1.5 bytes: memory is counted in whole bytes (`m` means thousandths); write it with Mi or Gi',
        'container app: memory request 32Mi is above its limit 1500m',
      ],
    ],
    [
      'cpu below the floor',
      [{ op: 'replace', path: `${C0}/resources/limits/cpu`, value: '1m' }],
      {},
      [
        'container app: cpu limit 1m is 1 millicores, below the floor of 10m: the container could not run on it; check the unit',
        'container app: cpu request 100m is above its limit 1m',
      ],
    ],
    [
      'a total over the cap through replicas alone',
      [{ op: 'replace', path: '/spec/replicas', value: 20 }],
      { maxTotalMemoryBytes: 2 ** 30 },
      "the workload's total memory limits would be 20 × 96Mi = 1920Mi, above the maximum of 1Gi (AUTOFIX_MAX_TOTAL_MEMORY)",
    ],
    [
      'a total over the cap through an init container bigger than the pod',
      [
        {
          op: 'add',
          path: '/spec/template/spec/initContainers',
          value: [
            {
              name: 'warm',
              image: 'busybox',
              resources: { requests: { memory: '3Gi' }, limits: { memory: '3Gi' } },
            },
          ],
        },
      ],
      { maxTotalMemoryBytes: 8 * 2 ** 30 },
      [
        "the workload's total memory requests would be 3 × 3Gi = 9Gi, above the maximum of 8Gi (AUTOFIX_MAX_TOTAL_MEMORY)",
        "the workload's total memory limits would be 3 × 3Gi = 9Gi, above the maximum of 8Gi (AUTOFIX_MAX_TOTAL_MEMORY)",
      ],
    ],
    [
      'a removed memory limit',
      [{ op: 'remove', path: `${C0}/resources/limits/memory` }],
      {},
      'container app: the memory limit (64Mi) must not be removed',
    ],
    [
      'all limits removed',
      [{ op: 'remove', path: `${C0}/resources/limits` }],
      {},
      [
        'container app: the memory limit (64Mi) must not be removed',
        'container app: the cpu limit (500m) must not be removed',
      ],
    ],
    [
      'a request above its limit',
      [{ op: 'replace', path: `${C0}/resources/requests/memory`, value: '128Mi' }],
      {},
      'container app: memory request 128Mi is above its limit 64Mi',
    ],
    [
      'an invalid quantity',
      [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: 'lots' }],
      {},
      'container app: memory limit "lots" is not a valid quantity',
    ],
    [
      'replicas over the cap',
      [{ op: 'replace', path: '/spec/replicas', value: 21 }],
      {},
      'spec.replicas 21 is above the maximum of 20 (AUTOFIX_MAX_REPLICAS)',
    ],
    [
      'scaling to zero',
      [{ op: 'replace', path: '/spec/replicas', value: 0 }],
      {},
      'spec.replicas must be at least 1; scaling to 0 would take the workload down',
    ],
    [
      'fractional replicas',
      [{ op: 'replace', path: '/spec/replicas', value: 1.5 }],
      {},
      'spec.replicas must be a whole number, not 1.5',
    ],
    [
      'a non-allowed registry',
      [{ op: 'replace', path: `${C0}/image`, value: 'evil.example.com/acme/web:1.4.3' }],
      { allowedRegistries: ['ghcr.io'] },
      'container app: image evil.example.com/acme/web:1.4.3 comes from evil.example.com, which is not an allowed registry (ghcr.io)',
    ],
    [
      'Docker Hub when only ghcr.io is allowed',
      [{ op: 'replace', path: `${C0}/image`, value: 'nginx:1.27' }],
      { allowedRegistries: ['ghcr.io'] },
      'container app: image nginx:1.27 comes from docker.io, which is not an allowed registry (ghcr.io)',
    ],
    [
      'a repository outside an allowed prefix',
      [{ op: 'replace', path: `${C0}/image`, value: 'ghcr.io/evil/web:1' }],
      { allowedRegistries: ['ghcr.io/acme'] },
      'container app: image ghcr.io/evil/web:1 comes from ghcr.io, which is not an allowed registry (ghcr.io/acme)',
    ],
    [
      'an invalid image',
      [{ op: 'replace', path: `${C0}/image`, value: 'Not An Image' }],
      {},
      'container app: image "Not An Image" is not a valid image reference',
    ],
  ])('%s', (_name, ops, policy, expected) => {
    expect(check(ops, policy)).toEqual(typeof expected === 'string' ? [expected] : expected);
  });

  it('applies to init containers too', () => {
    const ops: PatchOp[] = [
      {
        op: 'add',
        path: '/spec/template/spec/initContainers',
        value: [{ name: 'setup', image: 'busybox', resources: { limits: { memory: '16Gi' } } }],
      },
    ];
    expect(check(ops)).toEqual([
      'init container setup: memory limit 16Gi is above the maximum of 4Gi (AUTOFIX_MAX_MEMORY)',
      "the workload's total memory limits would be 3 × 16Gi = 48Gi, above the maximum of 32Gi (AUTOFIX_MAX_TOTAL_MEMORY)",
    ]);
  });
});

describe('caps allows', () => {
  it.each<[string, PatchOp[], Partial<PolicyConfig>]>([
    [
      'a memory raise within the cap',
      [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '256Mi' }],
      {},
    ],
    ['exactly the cap', [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '4Gi' }], {}],
    [
      'a limit added where there was none',
      [{ op: 'add', path: '/spec/template/spec/containers/1/resources/limits/cpu', value: '250m' }],
      {},
    ],
    ['replicas at the cap', [{ op: 'replace', path: '/spec/replicas', value: 20 }], {}],
    [
      'an image from an allowed registry',
      [{ op: 'replace', path: `${C0}/image`, value: 'ghcr.io/acme/web:1.4.3' }],
      { allowedRegistries: ['GHCR.io'] },
    ],
    [
      'an allowed repository prefix',
      [{ op: 'replace', path: `${C0}/image`, value: 'ghcr.io/acme/web@sha256:' + 'a'.repeat(64) }],
      { allowedRegistries: ['ghcr.io/acme'] },
    ],
    [
      'an unchanged image from elsewhere (grandfathered)',
      [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '128Mi' }],
      { allowedRegistries: ['registry.internal'] },
    ],
  ])('%s', (_name, ops, policy) => {
    expect(check(ops, policy)).toEqual([]);
  });

  it('grandfathers live values above a cap that the change leaves alone', () => {
    const live = patched([
      { op: 'replace', path: '/spec/replicas', value: 50 },
      { op: 'replace', path: `${C0}/resources/limits/memory`, value: '16Gi' },
    ]);
    expect(
      check([{ op: 'replace', path: `${C0}/image`, value: 'ghcr.io/acme/web:1.4.3' }], {}, live),
    ).toEqual([]);
  });

  it('grandfathers a total already above the cap that the change does not raise', () => {
    expect(
      check([{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '32Mi' }], {
        maxTotalMemoryBytes: 2 ** 20 * 100,
      }),
    ).toEqual([]);
  });

  it('keeps a workload scaled to zero at zero', () => {
    const live = patched([{ op: 'replace', path: '/spec/replicas', value: 0 }]);
    expect(
      check([{ op: 'replace', path: `${C0}/image`, value: 'ghcr.io/acme/web:1.4.3' }], {}, live),
    ).toEqual([]);
  });
});

describe('capacityCuts', () => {
  const cut = (ops: PatchOp[], previous: KubeObject[] = []) => {
    const live = liveDeployment();
    return capacityCuts({
      target: policyTarget,
      live,
      proposed: patched(ops, live),
      policy: policyConfig(),
      previousTemplates: previous,
    });
  };

  it('flags a lowered limit with what the container risks', () => {
    expect(cut([{ op: 'replace', path: `${C0}/resources/limits/cpu`, value: '250m' }]).flags).toEqual([
      'container app: the cpu limit is lowered from 500m to 250m: it is throttled sooner',
    ]);
  });

  it('passes a raise, and a whole earlier template', () => {
    expect(cut([{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '128Mi' }]).flags).toEqual([]);
    const lower = patched([{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '32Mi' }]);
    const template = (lower as { spec: { template: KubeObject } }).spec.template;
    expect(cut([{ op: 'replace', path: '/spec/template', value: template }], [template]).flags).toEqual([]);
  });
});
