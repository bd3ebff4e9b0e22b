import { describe, expect, it } from 'vitest';
import { alertTarget, workloadStem } from '../../../../src/bot/alerts/alert-target.js';
import { RULE_LABELS } from '../../../fixtures/alertmanager.js';

describe('alertTarget (the labels the kube-prometheus rules carry)', () => {
  it.each([
    [
      'KubePodCrashLooping',
      RULE_LABELS.KubePodCrashLooping('shop', 'web-7d4b9c8f6-x2k9p'),
      'Pod',
      'web-7d4b9c8f6-x2k9p',
    ],
    ['KubePodNotReady', RULE_LABELS.KubePodNotReady('shop', 'db-0'), 'Pod', 'db-0'],
    [
      'KubeContainerWaiting',
      RULE_LABELS.KubeContainerWaiting('shop', 'web-7d4b9c8f6-x2k9p'),
      'Pod',
      'web-7d4b9c8f6-x2k9p',
    ],
    [
      'KubeDeploymentReplicasMismatch',
      RULE_LABELS.KubeDeploymentReplicasMismatch('shop', 'web'),
      'Deployment',
      'web',
    ],
    [
      'KubeDeploymentRolloutStuck',
      RULE_LABELS.KubeDeploymentRolloutStuck('shop', 'web'),
      'Deployment',
      'web',
    ],
    [
      'KubeStatefulSetReplicasMismatch',
      RULE_LABELS.KubeStatefulSetReplicasMismatch('shop', 'db'),
      'StatefulSet',
      'db',
    ],
    [
      'KubeDaemonSetRolloutStuck',
      RULE_LABELS.KubeDaemonSetRolloutStuck('shop', 'agent'),
      'DaemonSet',
      'agent',
    ],
  ])('%s → its workload or pod', (_rule, labels, kind, name) => {
    expect(alertTarget(labels)).toEqual({ kind: 'target', ref: { kind, name, namespace: 'shop' } });
  });

  it('prefers the workload label over the pod one, and reads workload_type/workload', () => {
    expect(alertTarget({ namespace: 'shop', pod: 'web-x', deployment: 'web' })).toMatchObject({
      ref: { kind: 'Deployment', name: 'web' },
    });
    expect(alertTarget({ namespace: 'shop', workload: 'db', workload_type: 'statefulset' })).toMatchObject({
      ref: { kind: 'StatefulSet', name: 'db' },
    });
    expect(alertTarget({ namespace: 'shop', replicaset: 'web-7d4b9c8f6' })).toMatchObject({
      ref: { kind: 'ReplicaSet' },
    });
  });

  it('never takes the scrape `job` label for a Kubernetes Job', () => {
    const r = alertTarget(RULE_LABELS.KubeJobFailed('shop', 'nightly'));
    expect(r.kind).toBe('unresolvable');
    if (r.kind === 'unresolvable') {
      expect(r.why).toContain('no deployment, statefulset, daemonset, replicaset or pod label');
      expect(r.why).toContain('Jobs are not investigated');
      expect(r.why).toContain('job_name');
    }
  });

  it('says which labels are missing', () => {
    expect(alertTarget(RULE_LABELS.KubeQuotaExceeded('shop', 'q'))).toMatchObject({ kind: 'unresolvable' });
    const r = alertTarget({ alertname: 'Watchdog', severity: 'none' });
    expect(r).toEqual({
      kind: 'unresolvable',
      why: 'it has no namespace label and no deployment, statefulset, daemonset, replicaset or pod label; its labels: alertname, severity',
    });
    expect(alertTarget({ pod: 'web-1' })).toMatchObject({
      why: expect.stringMatching(/^it has no namespace label;/),
    });
  });

  it('refuses names that are no Kubernetes names (hostile labels)', () => {
    expect(alertTarget({ namespace: 'shop', deployment: '<!channel>' })).toEqual({
      kind: 'unresolvable',
      why: 'its deployment label is not a Kubernetes object name',
    });
    expect(alertTarget({ namespace: 'Shop\u0000', pod: 'p' })).toMatchObject({
      why: 'its namespace label is not a namespace name',
    });
    expect(alertTarget({ namespace: 'shop', pod: 'a'.repeat(254) })).toMatchObject({ kind: 'unresolvable' });
  });

  it('treats empty labels as absent (Prometheus drops them; templates may not)', () => {
    expect(alertTarget({ namespace: 'shop', deployment: '', pod: 'web-1' })).toMatchObject({
      ref: { kind: 'Pod' },
    });
  });

  it('does not read inherited properties as labels', () => {
    expect(
      alertTarget(
        JSON.parse('{"namespace":"shop","__proto__":{"deployment":"x"}}') as Record<string, string>,
      ),
    ).toMatchObject({
      kind: 'unresolvable',
    });
  });
});

describe('workloadStem', () => {
  const pod = (name: string) => ({ kind: 'Pod' as const, name, namespace: 'shop' });
  it.each([
    ['web-7d4b9c8f6-x2k9p', 'web'],
    ['api-v2-5f6d8c9b7-q8rzt', 'api-v2'],
    ['db-0', 'db'],
    ['kafka-broker-12', 'kafka-broker'],
    ['node-exporter-x2k9p', 'node-exporter'],
    ['standalone', 'standalone'],
  ])('%s belongs to %s', (name, stem) => {
    expect(workloadStem(pod(name))).toBe(stem);
  });

  it('strips the template hash of a ReplicaSet and leaves workloads alone', () => {
    expect(workloadStem({ kind: 'ReplicaSet', name: 'web-7d4b9c8f6', namespace: 'shop' })).toBe('web');
    expect(workloadStem({ kind: 'Deployment', name: 'web-7d4b9c8f6', namespace: 'shop' })).toBe(
      'web-7d4b9c8f6',
    );
  });
});
