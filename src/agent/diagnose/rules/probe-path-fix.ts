// Point a liveness probe that gets HTTP 404 at the path the container's readiness or startup probe passes on.
import type { Evidence, Finding } from '../../../domain/index.js';
import {
  findContainer,
  workloadTemplate,
  type ContainerSpec,
  type ProbeSpec,
} from '../../analyzers/pod-template.js';
import { KIND_WORD } from '../../analyzers/probe-failure.js';
import { relatedEvents } from '../../analyzers/related-evidence.js';
import type { Candidate } from './candidate.js';

function portNumber(port: ProbeSpec['port'], spec: ContainerSpec): number | null {
  if (typeof port === 'number') return port;
  return spec.ports.find((p) => p.name === port)?.containerPort ?? null;
}

/**
 * A probe of the container whose path answers: none of its failures appear in the pods' events. Liveness
 * failures prove the probes run (after any startup probe passed), so a silent readiness probe passed.
 */
function passingWitness(failing: ProbeSpec, spec: ContainerSpec, evidence: Evidence): ProbeSpec | null {
  const port = portNumber(failing.port, spec);
  const events = relatedEvents(
    evidence,
    'Pod',
    evidence.pods.map((p) => p.name),
  ).filter((e) => e.reason === 'Unhealthy');
  const witness = spec.probes.find(
    (p) =>
      p.kind !== failing.kind &&
      p.handler === 'httpGet' &&
      p.path !== null &&
      p.path !== failing.path &&
      port !== null &&
      portNumber(p.port, spec) === port,
  );
  if (!witness) return null;
  const fails = new RegExp(`^${KIND_WORD[witness.kind]} probe (failed|errored)`);
  return events.some((e) => fails.test(e.message)) ? null : witness;
}

/**
 * Only for a liveness 404 on a declared port: the server is up and answers, the probe asks for a path it does
 * not serve. Not for a startup probe: while it fails no other probe runs, so nothing shows another path works.
 */
export function probePathFix(finding: Finding, evidence: Evidence): Candidate | null {
  const f = finding.facts;
  if (finding.category !== 'probe_failure' || finding.container === null) return null;
  if (f.probe !== 'liveness' || f.statusCode !== 404 || f.portMismatch === true) return null;
  const spec = findContainer(workloadTemplate(evidence), finding.container);
  const failing = spec?.probes.find((p) => p.kind === f.probe && p.handler === 'httpGet');
  if (!spec || !failing || failing.path === null) return null;
  const witness = passingWitness(failing, spec, evidence);
  if (!witness || witness.path === null) return null;
  return {
    kind: 'probe_path',
    change: {
      summary: [
        `point the ${failing.kind} probe of container ${spec.name} at path ${witness.path} (was ${failing.path}), where its ${witness.kind} probe passes`,
      ],
      patch: [{ op: 'replace', path: `${failing.pointer}/httpGet/path`, value: witness.path }],
    },
    because: `The server answers its ${witness.kind} probe on ${witness.path} but returns 404 for ${failing.path}, so the kubelet kills a working container.`,
    notes: [
      `The ${failing.kind} probe now checks the same endpoint as the ${witness.kind} probe; if that endpoint also checks dependencies, give the app a dedicated, cheap ${failing.kind} endpoint.`,
    ],
  };
}
