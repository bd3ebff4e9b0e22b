// A mutating admission webhook installed between the proposal and the approval: the apply's own dry-run
// sees what the server would now store, the policy refuses it, and the live Deployment stays as it was.
import { afterEach, describe, expect, it } from 'vitest';
import { investigate } from '../../src/agent/investigate.js';
import { createRulesEngine } from '../../src/agent/diagnose/rules/rules-engine.js';
import { loadConfig } from '../../src/config/config.js';
import { isAutofixError } from '../../src/domain/index.js';
import { createKubeCluster } from '../../src/k8s/kube-cluster.js';
import { NoopTracker } from '../../src/tracking/no-op-tracker.js';
import { applyProposal } from '../../src/workflow/apply-change.js';
import { createOomLoop, type Kube, useNamespace } from './support/kube.js';
import { startMutatingWebhook, type MutatingWebhook } from './support/mutating-webhook.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let ns: string;
let hook: MutatingWebhook | null = null;

useNamespace('admit', (client, name) => {
  k = client;
  ns = name;
});

afterEach(async () => {
  await hook?.close();
  hook = null;
});

const PRIVILEGED = [
  {
    op: 'add',
    path: '/spec/template/spec/containers/0/securityContext',
    value: { privileged: true },
  },
];

async function live(name: string) {
  const d = await k.apps.readNamespacedDeployment({ name, namespace: ns });
  return {
    generation: d.metadata?.generation,
    memory: d.spec?.template.spec?.containers[0]?.resources?.limits?.memory,
    privileged: d.spec?.template.spec?.containers[0]?.securityContext?.privileged ?? false,
  };
}

/** Whether the webhook is in force: a dry-run update of the workload comes back mutated. */
async function webhookInForce(name: string): Promise<boolean> {
  const d = await k.apps.patchNamespacedDeployment(
    { name, namespace: ns, body: [{ op: 'test', path: '/metadata/name', value: name }], dryRun: 'All' },
    { headers: { 'Content-Type': 'application/json-patch+json' } } as never,
  );
  return d.spec?.template.spec?.containers[0]?.securityContext?.privileged === true;
}

describe('a mutating webhook added after the proposal', () => {
  it('makes the approved change refused at apply, with what the server would store; nothing is changed', async () => {
    const name = 'oom';
    await createOomLoop(k, ns, name);
    const cluster = createKubeCluster({ kubeconfig: k.kubeconfig });
    const config = { ...loadConfig({ AUTOFIX_NAMESPACES: ns }), maxIterations: 1 };
    const target = { kind: 'Deployment' as const, name, namespace: ns };
    const inv = await investigate(target, {
      cluster,
      engine: createRulesEngine(),
      tracker: new NoopTracker(),
      config,
    });
    expect(inv.outcome).toBe('proposed');
    const before = await live(name);

    hook = await startMutatingWebhook(k, ns, PRIVILEGED);
    await waitFor(() => webhookInForce(name), { what: 'the webhook in force' });
    const calls = hook.calls.length;

    const deps = { cluster, rolloutTimeoutSeconds: 30, policy: config.policy };
    const err = await applyProposal(target, inv.proposal!, deps).catch((e: unknown) => e);
    expect(isAutofixError(err) && err.code).toBe('PATCH_REJECTED');
    expect(isAutofixError(err) && err.describe()).toMatch(
      /not applied: the server would store it in a form the policy refuses \(as the server would store it, .*privileged/,
    );
    // The webhook saw the apply's dry-run and nothing else: no real update reached it, none was stored.
    expect(hook.calls.slice(calls)).toEqual([{ operation: 'UPDATE', dryRun: true, name }]);
    expect(await live(name)).toEqual(before);

    // Without the webhook the same approved change applies: the refusal was the webhook's doing.
    await hook.close();
    hook = null;
    await waitFor(async () => !(await webhookInForce(name)), { what: 'the webhook gone' });
    const out = await applyProposal(target, inv.proposal!, deps);
    expect(out.applied).toBe(true);
    expect((await live(name)).memory).not.toBe(before.memory);
  });
});
