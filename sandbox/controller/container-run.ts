// One container's life on the simulated kubelet: pull, config, start, probes, exits, restarts with back-off.
import { randomBytes } from 'node:crypto';
import type { V1Container } from '@kubernetes/client-node';
import type { LogLine } from './catalog.js';
import type { EventSpec } from './event-recorder.js';
import { goDuration } from './go-duration.js';
import type { ContainerPlan, Outcome } from './judge-pod.js';
import type { ProbePlan } from './probe-check.js';
import type { ContainerStatus, TerminatedState } from './pod-status.js';

type Terminated = TerminatedState['terminated'];

/** What a container loop needs from its pod; `sleep` rejects when the pod's run is stopped. */
export interface SlotContext {
  plan: ContainerPlan;
  spec: V1Container;
  status: ContainerStatus;
  /** Terminations so far (drives the back-off, like the kubelet's per-container back-off entry). */
  crashes: number;
  restartPolicy: string;
  /** `name_namespace(uid)`, as the kubelet prints a pod. */
  podFull: string;
  terminationGraceSeconds: number;
  event(e: Omit<EventSpec, 'fieldPath'>): void;
  update(): Promise<void>;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Container seconds → real milliseconds (time is compressed). */
  scaled(seconds: number): number;
  signal: AbortSignal;
  /** Before each pull: the kubelet's pod-level warning about imagePullSecrets that do not exist. */
  warnPullSecrets(): void;
  imagePresent(): boolean;
  markImagePresent(): void;
  startLogs(lines: LogLine[]): Promise<void>;
  appendLogs(lines: LogLine[]): void;
}

const MAX_BACKOFF_SECONDS = 300;
const now = () => new Date().toISOString();

export async function runContainer(x: SlotContext): Promise<void> {
  const { plan } = x;
  if (!plan.pull.ok) return pullFailureLoop(x, plan.pull);
  await ensureImage(x);
  if (plan.outcome.kind === 'config') return configErrorLoop(x, plan.outcome.message);
  for (;;) {
    const term = await runInstance(x, plan.outcome);
    const policy = plan.init && x.restartPolicy === 'Always' ? 'OnFailure' : x.restartPolicy;
    if (policy === 'Never' || (policy === 'OnFailure' && term.exitCode === 0)) return;
    x.crashes++;
    if (x.crashes > 1) await backOff(x, term);
    else await x.sleep(x.scaled(1));
    x.status.lastState = { terminated: term };
    x.status.restartCount++;
    await ensureImage(x);
  }
}

/** The kubelet's image step: `already present on machine`, or Pulling then Pulled. */
export async function ensureImage(x: SlotContext): Promise<void> {
  if (!x.plan.pull.ok) return;
  const image = x.plan.image;
  if (x.spec.imagePullPolicy !== 'Always' && x.imagePresent()) {
    x.event({
      type: 'Normal',
      reason: 'Pulled',
      message: `Container image "${image}" already present on machine`,
    });
    return;
  }
  x.warnPullSecrets();
  x.event({ type: 'Normal', reason: 'Pulling', message: `Pulling image "${image}"` });
  const seconds = 0.3 + x.plan.pull.sizeBytes / 60e6;
  await x.sleep(x.scaled(seconds));
  const took = goDuration(Math.round(seconds * 1000));
  x.event({
    type: 'Normal',
    reason: 'Pulled',
    message: `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${x.plan.pull.sizeBytes} bytes.`,
  });
  x.markImagePresent();
}

async function pullFailureLoop(
  x: SlotContext,
  pull: Extract<ContainerPlan['pull'], { ok: false }>,
): Promise<void> {
  const image = x.plan.image;
  const waiting = async (reason: string, message: string) => {
    x.status.state = { waiting: { reason, message } };
    await x.update();
  };
  if (pull.reason !== 'ErrImagePull') {
    for (;;) {
      x.event({
        type: 'Warning',
        reason: pull.reason === 'InvalidImageName' ? 'InspectFailed' : 'ErrImageNeverPull',
        message: pull.message,
      });
      x.event({ type: 'Warning', reason: 'Failed', message: `Error: ${pull.reason}` });
      await waiting(pull.reason, pull.message);
      await x.sleep(x.scaled(10));
    }
  }
  for (let attempt = 1; ; attempt++) {
    x.warnPullSecrets();
    x.event({ type: 'Normal', reason: 'Pulling', message: `Pulling image "${image}"` });
    await x.sleep(x.scaled(1));
    x.event({
      type: 'Warning',
      reason: 'Failed',
      message: `Failed to pull image "${image}": ${pull.message}`,
    });
    x.event({ type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' });
    await waiting('ErrImagePull', pull.message);
    const end = Date.now() + x.scaled(Math.min(10 * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS));
    await x.sleep(Math.max(x.scaled(2), 800));
    await waiting('ImagePullBackOff', `Back-off pulling image "${image}": ErrImagePull: ${pull.message}`);
    while (Date.now() < end) {
      x.event({ type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${image}"` });
      x.event({ type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' });
      await x.sleep(Math.min(x.scaled(10), Math.max(end - Date.now(), 0)));
    }
  }
}

async function configErrorLoop(x: SlotContext, message: string): Promise<void> {
  for (;;) {
    x.event({ type: 'Warning', reason: 'Failed', message: `Error: ${message}` });
    x.status.state = { waiting: { reason: 'CreateContainerConfigError', message } };
    await x.update();
    await x.sleep(x.scaled(10));
  }
}

async function runInstance(x: SlotContext, outcome: Outcome): Promise<Terminated> {
  if (!x.plan.pull.ok) throw new Error('unreachable');
  const containerID = `containerd://${randomBytes(32).toString('hex')}`;
  Object.assign(x.status, { image: x.plan.pull.imageRef, imageID: x.plan.pull.imageID, containerID });
  x.event({ type: 'Normal', reason: 'Created', message: 'Container created' });
  if (outcome.kind === 'start-error') {
    x.event({ type: 'Warning', reason: 'Failed', message: `Error: ${outcome.message}` });
    await x.startLogs([]); // the container exists: its log is empty
    const term = {
      exitCode: 128,
      reason: 'StartError',
      message: outcome.message,
      startedAt: '1970-01-01T00:00:00Z',
      finishedAt: now(),
      containerID,
    };
    return terminate(x, term);
  }
  const startedAt = now();
  x.event({ type: 'Normal', reason: 'Started', message: 'Container started' });
  const probes = outcome.kind === 'runs' ? outcome.probes : [];
  await x.startLogs(outcome.kind === 'exits' || outcome.kind === 'runs' ? outcome.logs : []);
  // A process that dies within a second is gone before the kubelet's next relist: it is never seen running.
  const seenRunning = outcome.kind !== 'exits' || outcome.seconds >= 1;
  Object.assign(x.status, {
    state: { running: { startedAt } },
    started: !probes.some((p) => p.type === 'Startup'),
    ready: !probes.some((p) => p.type === 'Readiness' || p.type === 'Startup'),
  });
  if (seenRunning) await x.update();
  if (outcome.kind === 'exits') {
    await x.sleep(Math.max(x.scaled(outcome.seconds), seenRunning ? 500 : 300));
    return terminate(x, {
      exitCode: outcome.exitCode,
      reason: outcome.reason,
      startedAt,
      finishedAt: now(),
      containerID,
    });
  }
  if (outcome.kind !== 'runs') throw new Error('unreachable');
  const killedBy = await watchProbes(x, probes);
  const restart = x.restartPolicy !== 'Never';
  x.event({
    type: 'Normal',
    reason: 'Killing',
    message: `Container ${x.spec.name} failed ${killedBy.toLowerCase()} probe${restart ? ', will be restarted' : ''}`,
  });
  x.appendLogs(outcome.stopLogs);
  await x.sleep(outcome.stopExitCode === 137 ? x.scaled(x.terminationGraceSeconds) : x.scaled(0.5));
  const reason = outcome.stopExitCode === 0 ? 'Completed' : 'Error';
  return terminate(x, { exitCode: outcome.stopExitCode, reason, startedAt, finishedAt: now(), containerID });
}

async function terminate(x: SlotContext, term: Terminated): Promise<Terminated> {
  Object.assign(x.status, { state: { terminated: term }, ready: false, started: false });
  await x.update();
  return term;
}

/** Runs the container's probes; resolves with the probe type that kills it (never, while healthy). */
async function watchProbes(x: SlotContext, probes: ProbePlan[]): Promise<'Liveness' | 'Startup'> {
  const instance = new AbortController();
  const signal = AbortSignal.any([x.signal, instance.signal]);
  const worker = async (p: ProbePlan): Promise<'Liveness' | 'Startup' | undefined> => {
    await x.sleep(x.scaled(p.initialDelaySeconds), signal);
    for (let failures = 0; ;) {
      if (p.ok) {
        if (p.type === 'Startup') return undefined;
        if (p.type === 'Readiness' && !x.status.ready) {
          x.status.ready = true;
          await x.update();
        }
      } else {
        x.event({ type: 'Warning', reason: 'Unhealthy', message: p.message });
        failures++;
        if (p.type !== 'Readiness' && failures >= p.failureThreshold) return p.type;
      }
      await x.sleep(x.scaled(p.periodSeconds), signal);
    }
  };
  const startup = probes.find((p) => p.type === 'Startup');
  try {
    if (startup !== undefined) {
      const killed = await worker(startup);
      if (killed !== undefined) return killed;
      x.status.started = true;
      if (!probes.some((p) => p.type === 'Readiness')) x.status.ready = true;
      await x.update();
    }
    const forever = new Promise<never>(() => {});
    const rest = probes.filter((p) => p.type !== 'Startup');
    return await Promise.race([forever, ...rest.map(async (p) => (await worker(p)) ?? forever)]);
  } finally {
    instance.abort();
  }
}

async function backOff(x: SlotContext, term: Terminated): Promise<void> {
  const seconds = Math.min(10 * 2 ** (x.crashes - 2), MAX_BACKOFF_SECONDS);
  await x.sleep(Math.min(x.scaled(1), 500));
  const message = `back-off ${goDuration(seconds * 1000)} restarting failed container=${x.spec.name} pod=${x.podFull}`;
  Object.assign(x.status, {
    state: { waiting: { reason: 'CrashLoopBackOff', message } },
    lastState: { terminated: term },
  });
  await x.update();
  const end = Date.now() + x.scaled(seconds);
  while (Date.now() < end) {
    x.event({
      type: 'Warning',
      reason: 'BackOff',
      message: `Back-off restarting failed container ${x.spec.name} in pod ${x.podFull}`,
    });
    await x.sleep(Math.min(x.scaled(10), Math.max(end - Date.now(), 0)));
  }
}
