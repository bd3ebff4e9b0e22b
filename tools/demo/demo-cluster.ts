// The demo's scene on the sandbox: a healthy deployment/web in shop, then a bad release that cannot pull its image.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEMO_NAMESPACE } from './demo-cast.js';

const run = promisify(execFile);

/** kubectl of the sandbox (SANDBOX_KUBECTL, KUBECONFIG from .sandbox/env). */
export function kubectl(args: string[], timeoutMs = 150_000): Promise<string> {
  const bin = process.env.SANDBOX_KUBECTL ?? 'kubectl';
  return run(bin, args, { timeout: timeoutMs, maxBuffer: 4 << 20 }).then((r) => r.stdout);
}

const ns = ['-n', DEMO_NAMESPACE];

async function waitForPullFailure(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const reasons = ['get', 'pods', ...ns, '-l', 'app=web', '-o', 'jsonpath={..state.waiting.reason}'];
  while (Date.now() < deadline) {
    if (/ImagePull|ErrImagePull/.test(await kubectl(reasons))) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(
    `the pods of deployment/web did not start failing to pull nginx:1.99 within ${timeoutMs / 1000} s`,
  );
}

/** Rolls out the healthy release (also resetting an earlier demo's state), then breaks it. */
export async function stageBrokenRelease(say: (line: string) => void, scenario: string): Promise<void> {
  await kubectl(['get', 'namespace', DEMO_NAMESPACE]).catch(() =>
    kubectl(['create', 'namespace', DEMO_NAMESPACE]),
  );
  say(`deployment/web in namespace ${DEMO_NAMESPACE}: rolling out the healthy release (nginx:1.27)`);
  await kubectl(['apply', ...ns, '-f', scenario]);
  await kubectl(['rollout', 'status', ...ns, 'deployment/web', '--timeout=120s']);
  say('a bad release: image nginx:1.99, which does not exist');
  await kubectl(['set', 'image', ...ns, 'deployment/web', 'web=nginx:1.99']);
  await waitForPullFailure(90_000);
}

/** The second bad release: a memory limit below nginx's working set (OOMKilled, then CrashLoopBackOff). */
export const CRASHING_RELEASE = [
  'set',
  'resources',
  'deployment/web',
  ...ns,
  '-c',
  'web',
  '--limits=memory=8Mi',
  '--requests=memory=8Mi',
];

export async function stageCrashingRelease(say: (line: string) => void): Promise<void> {
  say('a second bad release: memory limit 8Mi, below what nginx needs (it will OOM-loop)');
  await kubectl(CRASHING_RELEASE);
}

/** Is deployment/web fully rolled out and available? (Read from the cluster, not from the bot.) */
export async function webIsHealthy(): Promise<{ healthy: boolean; image: string }> {
  const image = await kubectl([
    'get',
    'deployment',
    'web',
    ...ns,
    '-o',
    'jsonpath={.spec.template.spec.containers[0].image}',
  ]);
  const healthy = await kubectl(['rollout', 'status', ...ns, 'deployment/web', '--timeout=5s']).then(
    () => true,
    () => false,
  );
  return { healthy, image };
}
