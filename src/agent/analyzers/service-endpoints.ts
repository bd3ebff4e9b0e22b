// Services that select the workload's pods but have no ready endpoints: the "site is down" users report.
import type { Analyzer } from './analyzer.js';
import { makeFinding } from './make-finding.js';

export const serviceEndpoints: Analyzer = {
  name: 'serviceEndpoints',
  category: 'unknown',
  analyze(evidence) {
    return evidence.services
      .filter((s) => s.readyEndpoints === 0)
      .map((s) =>
        makeFinding({
          analyzer: 'serviceEndpoints',
          category: 'unknown',
          // A symptom: the pods' own findings say why none is ready.
          severity: 'warning',
          message: `Service ${s.name} selects this workload's pods but has no ready endpoints (${s.notReadyEndpoints} not ready): requests to it fail.`,
          container: null,
          facts: { service: s.name, readyEndpoints: 0, notReadyEndpoints: s.notReadyEndpoints },
          evidence: [
            `Service ${s.name} selector ${Object.entries(s.selector)
              .map(([k, v]) => `${k}=${v}`)
              .join(',')}: 0 ready endpoints, ${s.notReadyEndpoints} not ready`,
          ],
          signal: 'explicit',
          sources: ['status'],
        }),
      );
  },
};
