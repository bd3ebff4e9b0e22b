// The exact thing a person must do when no safe automatic change exists, per category, from a finding's facts.
import type { Category, Evidence, Fact, Finding } from '../../../domain/index.js';
import { findContainer, workloadTemplate } from '../../analyzers/pod-template.js';
import { claimAction, dependencyAction, situationAction } from './situation-actions.js';

type Facts = Record<string, Fact>;
const s = (v: Fact | undefined): string => (v === null || v === undefined ? '?' : String(v));
const CREDENTIAL_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|CREDENTIAL/i;

/** How the pods get credentials for a private image, from what they name and what the kubelet could not find. */
function pullAccess(f: Facts, ns: string, e: Evidence): string {
  const registry = s(f.registry);
  if (typeof f.droppedPullSecrets === 'string') {
    const t = e.target;
    return `restore imagePullSecrets \`${f.droppedPullSecrets.split(',').join('`, `')}\`, which revision ${s(f.droppedByRevision)} dropped (\`kubectl rollout undo ${t.kind.toLowerCase()}/${t.name} -n ${ns}\` returns to the revision before it); kube-autofix's policy never changes imagePullSecrets, because they decide which Secret the kubelet reads`;
  }
  if (typeof f.missingPullSecrets === 'string') {
    const names = f.missingPullSecrets.split(',');
    return `create the pull secret${names.length > 1 ? 's' : ''} ${names.map((n) => `\`${n}\``).join(', ')} the pods name but namespace \`${ns}\` does not have (\`kubectl create secret docker-registry ${names[0]} --docker-server=${registry} --docker-username=… --docker-password=… -n ${ns}\`)`;
  }
  if (typeof f.pullSecrets === 'string')
    return `put working credentials for ${registry} into pull secret \`${f.pullSecrets.split(',').join('`, `')}\` (the registry refused the ones there)`;
  return `create a docker-registry Secret for ${registry} and list it under imagePullSecrets of the pod template or its ServiceAccount`;
}

function imagePull(f: Facts, c: string, e: Evidence): string {
  const image = `\`${s(f.image)}\``;
  const ns = e.target.namespace;
  switch (f.pullFailure) {
    case 'not_found':
      return `Push image ${image} to its registry or fix the tag of container ${c}.`;
    case 'denied':
      return `Check that image ${image} of container ${c} exists (the registry answers the same for a missing and a private repository); if it is private, ${pullAccess(f, ns, e)}.`;
    case 'unauthorized': {
      const access = pullAccess(f, ns, e);
      return `Give the pods pull access to ${image}: ${access}. kube-autofix never creates or edits Secrets.`;
    }
    case 'invalid_name':
      return `Fix the image reference ${image} of container ${c}: it is not a valid image name.`;
    case 'network':
      return `Let the nodes reach the registry of ${image} (DNS, proxy, firewall); the kubelet retries on its own.`;
    case 'never_pull':
      return `Set imagePullPolicy of container ${c} to IfNotPresent or pre-load ${image} on the nodes.`;
    default:
      return `Find out why ${image} cannot be pulled (${s(f.kubeletMessage)}) and fix the image or the registry.`;
  }
}

function crashLoop(f: Facts, c: string, e: Evidence): string {
  const logs = `kubectl logs ${s(f.pod)} -c ${c} --previous -n ${e.target.namespace}`;
  if (f.killedByLiveness === true)
    return `Fix the liveness probe of container ${c} or the endpoint it checks; the kubelet keeps killing the container.`;
  switch (f.cause) {
    case 'missing_env': {
      const from = CREDENTIAL_NAME.test(s(f.envVar)) ? ' (from a Secret)' : '';
      return f.envDeclared === true
        ? `Give environment variable ${s(f.envVar)} of container ${c} a valid, non-empty value${from}.`
        : `Set environment variable ${s(f.envVar)} on container ${c}${from}.`;
    }
    case 'command_not_found': {
      const image = findContainer(workloadTemplate(e), c, f.initContainer === true)?.image ?? 'its image';
      return `Fix the command of container ${c}: \`${s(f.command)}\` does not exist in ${image}.`;
    }
    case 'dependency_unreachable':
      return dependencyAction(f, c);
    case 'app_error':
      return `Fix the application error of container ${c} ("${s(f.logLine)}"); see \`${logs}\`.`;
    default:
      return `Read \`${logs}\` and fix why container ${c} exits with code ${s(f.exitCode)}.`;
  }
}

function probeFailure(f: Facts, c: string): string {
  if (f.portMismatch === true) {
    return `Point the ${s(f.probe)} probe of container ${c} at one of its declared ports (${s(f.declaredPorts)}); port ${s(f.probePort)} is not declared.`;
  }
  const target = `${s(f.handler)} port ${s(f.probePort)}${f.probePath ? ` path ${s(f.probePath)}` : ''}`;
  return `Find out why container ${c} fails its ${s(f.probe)} probe (${s(f.failureKind)} on ${target}) and fix the endpoint or the probe's path, port or timeouts.`;
}

function unschedulable(f: Facts): string {
  if (f.cause === 'volume_claim') return claimAction(f);
  const reasons = s(f.reasons).split(',');
  const out: string[] = [];
  if (reasons.includes('insufficient_memory'))
    out.push(
      `Lower the pod's memory request (${s(f.requestedMemory)}) below the largest node allocatable (${s(f.largestAllocatableMemory)}) or add a node with more memory.`,
    );
  if (reasons.includes('insufficient_cpu'))
    out.push(
      `Lower the pod's CPU request (${s(f.requestedCpu)}) below the largest node allocatable (${s(f.largestAllocatableCpu)}) or add CPU capacity.`,
    );
  if (reasons.includes('node_selector'))
    out.push(
      f.nodeSelector
        ? `No node matches nodeSelector \`${s(f.nodeSelector)}\`: label a node with it or fix the nodeSelector.`
        : "No node matches the pod's node affinity: fix the affinity rules or label a node to match them.",
    );
  if (reasons.includes('taint'))
    out.push(
      `Add a toleration for ${s(f.untoleratedTaints)} to the pod template, or remove the taint from a node.`,
    );
  if (reasons.includes('cordoned')) out.push('Uncordon a node (kubectl uncordon) or add one.');
  if (reasons.includes('volume')) out.push('Create or bind the PersistentVolumeClaim the pod needs.');
  return out.length > 0
    ? out.join(' ')
    : 'Free or add node capacity for the pod, or relax its scheduling constraints.';
}

function missingConfig(f: Facts): string {
  const where = `in namespace \`${s(f.namespace)}\``;
  if (f.kind === 'PersistentVolumeClaim') return `Create PersistentVolumeClaim \`${s(f.name)}\` ${where}.`;
  if (f.kind === 'ServiceAccount')
    return `Create ServiceAccount \`${s(f.name)}\` ${where} (with the RBAC the app needs), or set serviceAccountName of the pod template to one that exists. kube-autofix does not change serviceAccountName: it decides the pods' API permissions.`;
  const keys =
    typeof f.keys === 'string'
      ? f.keys
          .split(',')
          .map((k) => `\`${k}\``)
          .join(', ')
      : null;
  if (f.missing === 'key')
    return `Add key ${keys} to ${s(f.kind)} \`${s(f.name)}\` ${where}, or mark the reference optional.`;
  return `Create ${s(f.kind)} \`${s(f.name)}\`${keys ? ` with key ${keys}` : ''} ${where}, or mark the reference optional.`;
}

function quotaExceeded(f: Facts): string {
  const ns = `\`${s(f.namespace)}\``;
  if (f.violation === 'must_specify') {
    return `Set ${s(f.resources)} on container ${f.container ?? 'each container'} (ResourceQuota \`${s(f.quota)}\` requires them), or add a LimitRange with defaults in ${ns}.`;
  }
  if (f.violation === 'limit_range') {
    const bound = f.bound === 'maximum' ? 'at most' : 'at least';
    return `Change the ${s(f.resource)} ${s(f.field)} of the containers to ${bound} ${s(f.limited)} (LimitRange \`${s(f.limitRange)}\` in ${ns}), or change the LimitRange.`;
  }
  return `Raise quota \`${s(f.quota)}\` in ${ns} (${s(f.resource)}: ${s(f.used)} of ${s(f.limited)} used, a new pod needs ${s(f.requested)}) or lower the requests.`;
}

function oomKilled(f: Facts, c: string): string {
  return `Find out why container ${c} needs more memory than its limit ${s(f.limit)} (leak, heap or cache settings), then raise the limit or reduce its use.`;
}

const BY_CATEGORY: Partial<Record<Category, (f: Facts, c: string, e: Evidence) => string>> = {
  image_pull: imagePull,
  crash_loop: crashLoop,
  oom_killed: oomKilled,
  probe_failure: probeFailure,
  unschedulable,
  missing_config: missingConfig,
  quota_exceeded: quotaExceeded,
  unknown: situationAction,
};

export function humanAction(finding: Finding | null, evidence: Evidence): string {
  const t = evidence.target;
  const describe = `kubectl describe ${t.kind.toLowerCase()}/${t.name} -n ${t.namespace}`;
  const fn = finding ? BY_CATEGORY[finding.category] : undefined;
  if (!finding || !fn)
    return `Inspect \`${describe}\` and the pods' events: no analyzer recognised a safe fix.`;
  const c = finding.container ?? 'the container';
  const action = fn(finding.facts, c, evidence);
  // Init containers are named as such, as kubectl shows them (Init:Error, Init:CrashLoopBackOff).
  return finding.facts.initContainer === true
    ? action.replace(
        new RegExp(`\\b([Cc])ontainer ${c}\\b`, 'g'),
        (_m, k: string) => `${k === 'C' ? 'Init' : 'init'} container ${c}`,
      )
    : action;
}
