import { describe, expect, it } from 'vitest';
import { checkPayload } from '../../../../src/bot/alerts/alertmanager-payload.js';
import { RULE_LABELS, amAlert, amPayload } from '../../../fixtures/alertmanager.js';

const valid = () => amPayload([amAlert(RULE_LABELS.KubePodCrashLooping('shop', 'web-7d4b9c8f6-x2k9p'))]);

/** A valid payload with one change at `path` (undefined deletes the field). */
function withField(path: (string | number)[], value: unknown): string {
  const p = valid() as unknown as Record<string, unknown>;
  let cur = p as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return JSON.stringify(p);
}

describe('checkPayload', () => {
  it('accepts the webhook Alertmanager sends', () => {
    const r = checkPayload(JSON.stringify(valid()));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.payload.alerts[0]!.labels.pod).toBe('web-7d4b9c8f6-x2k9p');
  });

  it.each([
    ['not JSON', '{"version":', '(body)', 'is not JSON'],
    ['JSON but not an object', '[1,2]', '(body)', 'object'],
    ['null', 'null', '(body)', 'object'],
    ['an empty body', '', '(body)', 'is not JSON'],
    ['another version', withField(['version'], '3'), 'version', 'must be "4"'],
    ['no version', withField(['version'], undefined), 'version', 'must be "4"'],
    ['no groupKey', withField(['groupKey'], undefined), 'groupKey', ''],
    ['an empty groupKey', withField(['groupKey'], ''), 'groupKey', ''],
    ['an unknown status', withField(['status'], 'pending'), 'status', ''],
    ['a number as receiver', withField(['receiver'], 7), 'receiver', ''],
    ['no alerts', withField(['alerts'], undefined), 'alerts', ''],
    ['an empty alerts list', withField(['alerts'], []), 'alerts', 'at least one alert'],
    ['alerts as an object', withField(['alerts'], { a: 1 }), 'alerts', ''],
    ['an alert that is a string', withField(['alerts', 0], 'KubePodCrashLooping'), 'alerts[0]', ''],
    ['an alert without labels', withField(['alerts', 0, 'labels'], undefined), 'alerts[0].labels', ''],
    ['labels as a list', withField(['alerts', 0, 'labels'], ['a']), 'alerts[0].labels', ''],
    [
      'a label that is a number',
      withField(['alerts', 0, 'labels', 'namespace'], 5),
      'alerts[0].labels.namespace',
      '',
    ],
    ['a label that is null', withField(['alerts', 0, 'labels', 'pod'], null), 'alerts[0].labels.pod', ''],
    [
      'an annotation that is an object',
      withField(['alerts', 0, 'annotations', 'summary'], {}),
      'alerts[0].annotations.summary',
      '',
    ],
    ['an alert status unknown', withField(['alerts', 0, 'status'], 'inactive'), 'alerts[0].status', ''],
    [
      'startsAt not a time',
      withField(['alerts', 0, 'startsAt'], 'yesterday'),
      'alerts[0].startsAt',
      'RFC 3339',
    ],
    ['no startsAt', withField(['alerts', 0, 'startsAt'], undefined), 'alerts[0].startsAt', ''],
    ['endsAt a number', withField(['alerts', 0, 'endsAt'], 0), 'alerts[0].endsAt', ''],
    [
      'a fingerprint with non-hex',
      withField(['alerts', 0, 'fingerprint'], 'zz<!channel>'),
      'alerts[0].fingerprint',
      'hexadecimal',
    ],
    ['no fingerprint', withField(['alerts', 0, 'fingerprint'], undefined), 'alerts[0].fingerprint', ''],
    ['groupLabels a string', withField(['groupLabels'], 'namespace'), 'groupLabels', ''],
    ['truncatedAlerts negative', withField(['truncatedAlerts'], -1), 'truncatedAlerts', ''],
    ['truncatedAlerts a string', withField(['truncatedAlerts'], '3'), 'truncatedAlerts', ''],
  ])('refuses %s, naming the field', (_name, body, field, message) => {
    const r = checkPayload(body);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.message).toContain(message);
    }
  });

  it('names the failing alert among many', () => {
    const p = amPayload(
      Array.from({ length: 20 }, (_, i) => amAlert(RULE_LABELS.KubePodCrashLooping('shop', `p-${i}`))),
    );
    (p.alerts[13] as { startsAt: string }).startsAt = 'not a time';
    const r = checkPayload(JSON.stringify(p));
    expect(r).toMatchObject({ ok: false, field: 'alerts[13].startsAt' });
  });

  it('defaults what older Alertmanagers leave out (annotations, truncatedAlerts)', () => {
    const p = valid() as Record<string, unknown>;
    delete p.truncatedAlerts;
    delete (p.alerts as Array<Record<string, unknown>>)[0]!.annotations;
    const r = checkPayload(JSON.stringify(p));
    expect(
      r.ok && r.payload.truncatedAlerts === 0 && Object.keys(r.payload.alerts[0]!.annotations).length === 0,
    ).toBe(true);
  });
});
