// Plays one pod's verdict on its node: volumes, init containers, then containers; writes status, events and logs.
import type { V1Pod } from '@kubernetes/client-node';
import type { EventRecorder, PodRef } from './event-recorder.js';
import { ensureImage, runContainer, type SlotContext } from './container-run.js';
import type { ContainerPlan, PodVerdict } from './judge-pod.js';
import type { LogWriter } from './log-writer.js';
import type { Logger } from './logger.js';
import { buildPodStatus, type ContainerStatus } from './pod-status.js';

export const VERDICT_ANNOTATION = 'sandbox.kube-autofix.dev/verdict';
export const IMAGES_ANNOTATION = 'sandbox.kube-autofix.dev/images';

export interface RuntimeDeps {
  events: EventRecorder;
  logs: LogWriter;
  /** Strategic-merge patch of the pod's status subresource (metadata.annotations may ride along). */
  patchStatus(pod: PodRef, patch: Record<string, unknown>): Promise<void>;
  images: { has(node: string, ref: string): boolean; add(node: string, ref: string): void };
  timeScale: number;
  log: Logger;
}

/** What survives a change of verdict (a healed config error) or a controller restart. */
export interface Carry {
  status: ContainerStatus;
  crashes: number;
}

export class PodRun {
  private readonly abort = new AbortController();
  private readonly ref: PodRef;
  private readonly slots: { plan: ContainerPlan; ctx: SlotContext }[] = [];
  private sandboxReady = false;
  private readonly startTime: string;
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly deps: RuntimeDeps,
    private pod: V1Pod,
    readonly verdict: PodVerdict,
    readonly net: { podIP: string; hostIP: string },
    carry: Map<string, Carry> = new Map(),
  ) {
    const md = pod.metadata!;
    this.ref = { name: md.name!, namespace: md.namespace!, uid: md.uid!, nodeName: pod.spec!.nodeName! };
    this.startTime = pod.status?.startTime
      ? new Date(pod.status.startTime).toISOString()
      : new Date().toISOString();
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    for (const plan of [...verdict.initContainers, ...verdict.containers]) {
      const spec = specs.find((s) => s.name === plan.name)!;
      const old = carry.get(plan.name);
      const status: ContainerStatus = old?.status ?? {
        name: plan.name,
        image: plan.image,
        imageID: '',
        state: {
          waiting: {
            reason:
              plan.init || verdict.initContainers.length === 0 ? 'ContainerCreating' : 'PodInitializing',
          },
        },
        lastState: {},
        ready: false,
        started: false,
        restartCount: 0,
      };
      this.slots.push({ plan, ctx: this.slotContext(plan, spec, status, old?.crashes ?? 0) });
    }
  }

  /** Plays the verdict until stopped; never throws. */
  async run(): Promise<void> {
    try {
      if (this.verdict.verdict === 'run') return await this.runHealthy();
      await this.update();
      if (this.verdict.mount !== undefined) await this.mountLoop(this.verdict.mount.message);
      this.sandboxReady = true;
      await this.update();
      for (const s of this.slots.filter((s) => s.plan.init)) await runContainer(s.ctx);
      await Promise.all(this.slots.filter((s) => !s.plan.init).map((s) => runContainer(s.ctx)));
    } catch (err) {
      const gone = (err as { code?: number }).code === 404; // the pod was deleted meanwhile
      if (!this.abort.signal.aborted && !gone)
        this.deps.log.error('pod run failed', { pod: this.name, error: String(err) });
    }
  }

  stop(): void {
    this.abort.abort();
  }

  observe(pod: V1Pod): void {
    this.pod = pod;
  }

  carry(): Map<string, Carry> {
    return new Map(this.slots.map((s) => [s.plan.name, { status: s.ctx.status, crashes: s.ctx.crashes }]));
  }

  get name(): string {
    return `${this.ref.namespace}/${this.ref.name}`;
  }

  /** Healthy pods: the kubelet's events and logs, then the verdict that lets KWOK's pod-run stage make them Ready. */
  private async runHealthy(): Promise<void> {
    for (const { plan, ctx } of this.slots) {
      if (plan.outcome.kind !== 'runs' && plan.outcome.kind !== 'exits') continue;
      await ensureImage(ctx);
      ctx.event({ type: 'Normal', reason: 'Created', message: 'Container created' });
      ctx.event({ type: 'Normal', reason: 'Started', message: 'Container started' });
      await ctx.startLogs(plan.outcome.logs);
    }
    const ip = this.pod.spec?.hostNetwork ? this.net.hostIP : this.net.podIP;
    // KWOK's pod-run stage reads containerd's image names and digests from this annotation.
    const pulled = this.slots.flatMap(({ plan: { name, pull } }) =>
      pull.ok ? [[name, { image: pull.imageRef, imageID: pull.imageID }]] : [],
    );
    await this.deps.patchStatus(this.ref, {
      metadata: {
        annotations: {
          [VERDICT_ANNOTATION]: 'run',
          [IMAGES_ANNOTATION]: JSON.stringify(Object.fromEntries(pulled)),
        },
      },
      status: { hostIP: this.net.hostIP, hostIPs: [{ ip: this.net.hostIP }], podIP: ip, podIPs: [{ ip }] },
    });
  }

  private async mountLoop(message: string): Promise<never> {
    for (let attempt = 0; ; attempt++) {
      this.deps.events.record(this.ref, { type: 'Warning', reason: 'FailedMount', message });
      // The volume manager retries with exponential back-off from 500ms up to 2m2s.
      await this.sleep(Math.max(this.scaled(Math.min(0.5 * 2 ** attempt, 122)), 1000));
    }
  }

  private slotContext(
    plan: ContainerPlan,
    spec: NonNullable<V1Pod['spec']>['containers'][number],
    status: ContainerStatus,
    crashes: number,
  ): SlotContext {
    const fieldPath = `spec.${plan.init ? 'initContainers' : 'containers'}{${plan.name}}`;
    const imageRef = plan.pull.ok ? plan.pull.imageRef : plan.image;
    const logPod = { name: this.ref.name, namespace: this.ref.namespace, uid: this.ref.uid };
    return {
      plan,
      spec,
      status,
      crashes,
      restartPolicy: this.pod.spec?.restartPolicy ?? 'Always',
      podFull: `${this.ref.name}_${this.ref.namespace}(${this.ref.uid})`,
      terminationGraceSeconds: this.pod.spec?.terminationGracePeriodSeconds ?? 30,
      event: (e) => this.deps.events.record(this.ref, { ...e, fieldPath }),
      update: () => this.update(),
      sleep: (ms, signal) => this.sleep(ms, signal),
      scaled: (s) => this.scaled(s),
      signal: this.abort.signal,
      warnPullSecrets: () => {
        const missing = this.verdict.missingPullSecrets;
        if (missing.length === 0) return;
        this.deps.events.record(this.ref, {
          type: 'Warning',
          reason: 'FailedToRetrieveImagePullSecret',
          message: `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`,
        });
      },
      imagePresent: () => this.deps.images.has(this.ref.nodeName, imageRef),
      markImagePresent: () => this.deps.images.add(this.ref.nodeName, imageRef),
      startLogs: (lines) => this.deps.logs.startInstance(logPod, plan.name, lines),
      appendLogs: (lines) => this.deps.logs.append(logPod, plan.name, lines),
    };
  }

  private scaled(seconds: number): number {
    return seconds * 1000 * this.deps.timeScale;
  }

  private sleep(ms: number, signal: AbortSignal = this.abort.signal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Writes the status; concurrent calls coalesce so the last state always lands. */
  private update(): Promise<void> {
    this.dirty = true;
    this.writing ??= (async () => {
      try {
        while (this.dirty && !this.abort.signal.aborted) {
          this.dirty = false;
          await this.writeStatus();
        }
      } finally {
        this.writing = undefined;
      }
    })();
    return this.writing;
  }

  private async writeStatus(): Promise<void> {
    const slots = (init: boolean) => this.slots.filter((s) => s.plan.init === init).map((s) => s.ctx.status);
    const status = buildPodStatus({
      pod: this.pod,
      initContainers: slots(true),
      containers: slots(false),
      sandboxReady: this.sandboxReady,
      podIP: this.pod.spec?.hostNetwork ? this.net.hostIP : this.net.podIP,
      hostIP: this.net.hostIP,
      startTime: this.startTime,
      now: new Date().toISOString(),
    });
    try {
      await this.deps.patchStatus(this.ref, {
        metadata: { annotations: { [VERDICT_ANNOTATION]: this.verdict.verdict } },
        status,
      });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 404) return this.stop();
      this.deps.log.warn('status not written', { pod: this.name, code, error: String(err).slice(0, 500) });
    }
  }
}
