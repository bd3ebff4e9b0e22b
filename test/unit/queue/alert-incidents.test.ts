// The stored incident record: what the Lua step writes must parse, including records written before a field existed.
import { describe, expect, it } from 'vitest';
import { AlertIncident } from '../../../src/queue/alert-incidents.js';

const stored = {
  id: 'a1b2c3d4e5f60718',
  state: 'open',
  owner: 'alert__j1',
  openedAt: 1765076400000,
  channel: 'C0SHOP',
  threadTs: '1765076400.000100',
  ref: { kind: 'Pod', name: 'web-7d4b9c8f6-x2k9p', namespace: 'shop' },
  facts: {
    alertname: 'KubePodNotReady',
    severity: 'warning',
    summary: null,
    description: null,
    startsAt: '2026-12-07T03:00:00Z',
    generatorURL: null,
    externalURL: null,
    fingerprint: 'f1',
    groupKey: '{}:{namespace="shop"}',
    cluster: null,
  },
  alertnames: ['KubePodNotReady'],
  firing: {},
  notifications: 3,
  firstSeen: 1765076400000,
  lastSeen: 1765076460000,
  resolvedAt: '2026-12-07T03:05:00Z',
  investigation: 'investigate__x',
};

describe('AlertIncident', () => {
  it('reads a record stored before incidents remembered fingerprints (no seen: the flap-only rule)', () => {
    expect(AlertIncident.parse(stored).seen).toEqual({});
  });

  it('keeps the fingerprints the step remembered, and refuses a record that is not an incident', () => {
    expect(AlertIncident.parse({ ...stored, seen: { f1: true, f2: true } }).seen).toEqual({
      f1: true,
      f2: true,
    });
    expect(AlertIncident.safeParse({ ...stored, seen: ['f1'] }).success).toBe(false);
  });
});
