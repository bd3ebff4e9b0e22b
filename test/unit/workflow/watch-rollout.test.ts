// Deciding whether an interrupted apply had landed (adopt its rollout) or not (never apply twice).
import { describe, expect, it } from 'vitest';
import { patchLanded } from '../../../src/workflow/watch-rollout.js';

const live = (generation: number, fields: Array<{ manager: string; time: string }>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', generation, managedFields: fields },
});
const approvedAt = Date.parse('2026-01-01T10:00:00.400Z');

describe('patchLanded', () => {
  it('is true for exactly one spec change, by kube-autofix, at or after the approval (second precision)', () => {
    expect(
      patchLanded(live(3, [{ manager: 'kube-autofix', time: '2026-01-01T10:00:00Z' }]), 2, approvedAt),
    ).toBe(true);
  });

  it('is false when someone else changed it, or it changed more than once, or our entry is older', () => {
    expect(
      patchLanded(live(3, [{ manager: 'kubectl-edit', time: '2026-01-01T10:00:05Z' }]), 2, approvedAt),
    ).toBe(false);
    expect(
      patchLanded(live(4, [{ manager: 'kube-autofix', time: '2026-01-01T10:00:05Z' }]), 2, approvedAt),
    ).toBe(false);
    expect(
      patchLanded(live(3, [{ manager: 'kube-autofix', time: '2026-01-01T09:59:59Z' }]), 2, approvedAt),
    ).toBe(false);
    expect(
      patchLanded(live(2, [{ manager: 'kube-autofix', time: '2026-01-01T10:00:05Z' }]), 2, approvedAt),
    ).toBe(false);
  });
});
