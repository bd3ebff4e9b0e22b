// The incident story: merge rules, time to healthy, the Markdown description and tags within MLflow's limits.
import { describe, expect, it } from 'vitest';
import { mergeStory, newStory, parseStory, STORY_DIFF_CHARS } from '../../../src/tracking/incident-story.js';
import {
  NOTE_TAG,
  renderStory,
  STORY_TAG,
  storyRunTags,
  storyTags,
} from '../../../src/tracking/render-story.js';
import {
  decisionPatch,
  investigationPatch,
  rollbackPatch,
  rolloutPatch,
} from '../../../src/tracking/story-patches.js';
import { MLFLOW_LIMITS } from '../../../src/tracking/split-log-batch.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');

function started() {
  return newStory(
    { kind: 'Deployment', name: 'web', namespace: 'shop' },
    {
      requestedBy: 'U0REQ',
      channel: 'C0OPS',
      threadUrl: 'https://slack.test/archives/C0OPS/p1',
      sessionId: 'slack-C0OPS-1.000001',
      at: new Date(T0).toISOString(),
    },
  );
}

const diagnosis = {
  category: 'oom_killed' as const,
  rootCause: 'container web is OOMKilled at its 64Mi limit',
  summary: 'memory limit too low',
  confidence: 0.86,
  engine: 'rules' as const,
  change: null,
  humanAction: null,
  notes: ['confidence: direct signal 0.6 + agreeing sources 0.2'],
};

const passed = {
  schemaOk: true,
  policy: { ok: true, violations: [] },
  dryRun: { ok: true, message: null } as { ok: boolean; message: string | null; deferred?: boolean },
  flags: [],
};

function investigated(validation = passed) {
  return mergeStory(
    started(),
    investigationPatch({
      outcome: 'proposed',
      iterations: 1,
      diagnosis,
      proposal: {
        // The engine's own words differ from what the diff does: the story must tell the latter.
        change: { summary: ['tidy up the container settings'], patch: [] },
        changes: ['raise the memory limit of web from 64Mi to 128Mi'],
        diff: '-  memory: 64Mi\n+  memory: 128Mi',
      } as never,
      validation,
      history: 'seen 2 times in 30 days; last time: raise memory, approved by @U0ALICE, healthy in 40 s',
    }),
  );
}

describe('incident story', () => {
  it('tells who asked, where, the diagnosis with its factors, the change, validation, decision and rollout', () => {
    const story = mergeStory(
      mergeStory(investigated(), decisionPatch('approved', 'U0APPROVER', T0 + 60_000)),
      rolloutPatch({ healthy: true, message: '3/3 replicas ready', seconds: 12 }, T0 + 100_000),
    );
    const md = renderStory(story);
    for (const fact of [
      '`U0REQ`',
      'channel `C0OPS`',
      '(https://slack.test/archives/C0OPS/p1)',
      'container web is OOMKilled at its 64Mi limit',
      '0.86 — high',
      'direct signal 0.6',
      'raise the memory limit of web from 64Mi to 128Mi',
      '+  memory: 128Mi',
      'schema passed · safety policy passed · server dry-run passed',
      '**approved** by `U0APPROVER`',
      '**healthy** after 12.0 s · time to healthy 100.0 s',
      'seen 2 times in 30 days',
    ])
      expect(md).toContain(fact);
    expect(storyTags(story)).toMatchObject({
      'autofix.requested_by': 'U0REQ',
      'autofix.channel': 'C0OPS',
      'autofix.thread_url': 'https://slack.test/archives/C0OPS/p1',
      'autofix.session': 'slack-C0OPS-1.000001',
      'autofix.category': 'oom_killed',
      'autofix.outcome': 'fixed',
      'autofix.approved_by': 'U0APPROVER',
      'autofix.rollout_healthy': 'true',
      'autofix.time_to_healthy_seconds': '100.0',
    });
  });

  it('a rollback and a rejection are told; fields a step does not know are kept', () => {
    const rolled = mergeStory(investigated(), rollbackPatch('U0OPS', true, 'back to revision 3', T0 + 5000));
    expect(rolled.diagnosis?.rootCause).toBe(diagnosis.rootCause);
    expect(renderStory(rolled)).toContain('requested by `U0OPS`');
    expect(storyTags(rolled)).toMatchObject({
      'autofix.outcome': 'rolled_back',
      'autofix.rolled_back_by': 'U0OPS',
    });
    const rejected = mergeStory(investigated(), decisionPatch('rejected', 'U0BOB', T0));
    expect(storyTags(rejected)).toMatchObject({
      'autofix.decision': 'rejected',
      'autofix.rejected_by': 'U0BOB',
    });
    expect(storyTags(rejected)['autofix.approved_by']).toBeUndefined();
  });

  it('a dry-run deferred to the apply (approver mode, an alert) is told as deferred, with why, never as passed', () => {
    const why = 'not run at proposal time: the requester has no Kubernetes identity to run it as';
    const md = renderStory(investigated({ ...passed, dryRun: { ok: true, message: why, deferred: true } }));
    expect(md).toContain('schema passed · safety policy passed · server dry-run deferred to the apply');
    expect(md).toContain(`- dry-run: ${why}`);
    expect(md).not.toContain('server dry-run passed');
  });

  it('an unhealthy rollout has no time to healthy', () => {
    const s = mergeStory(
      investigated(),
      rolloutPatch({ healthy: false, message: 'crash loop', seconds: 90 }),
    );
    expect(s.rollout?.timeToHealthySeconds).toBeNull();
    expect(storyTags(s)['autofix.time_to_healthy_seconds']).toBeUndefined();
  });

  it('stays within the tag limit and round-trips through its tag, even with a huge diff and notes', () => {
    const big = mergeStory(started(), {
      ...investigationPatch({
        outcome: 'proposed',
        iterations: 3,
        diagnosis: {
          ...diagnosis,
          notes: Array.from({ length: 40 }, (_, i) => `note ${i} ${'x'.repeat(300)}`),
        },
        proposal: {
          change: { summary: ['s'], patch: [] },
          changes: ['s'],
          diff: '+'.repeat(50_000),
        } as never,
        validation: null,
        history: null,
      }),
    });
    expect(big.change!.diff.length).toBeLessThan(STORY_DIFF_CHARS + 100);
    const tags = storyRunTags(big);
    expect(tags[NOTE_TAG]!.length).toBeLessThanOrEqual(MLFLOW_LIMITS.tagValueLength);
    expect(tags[STORY_TAG]!.length).toBeLessThanOrEqual(MLFLOW_LIMITS.tagValueLength);
    expect(parseStory(tags[STORY_TAG])?.diagnosis?.category).toBe('oom_killed');
  });

  it("the change is told in the sentences computed from the diff, never in the engine's own words", () => {
    const md = renderStory(investigated());
    expect(investigated().change!.sentences).toEqual(['raise the memory limit of web from 64Mi to 128Mi']);
    expect(md).not.toContain('tidy up the container settings');
  });

  it('a diff cannot close its code fence early', () => {
    const s = mergeStory(started(), { change: { sentences: ['x'], diff: '```\n# injected heading' } });
    expect(renderStory(s).match(/```/g)).toHaveLength(2);
  });

  it('parseStory refuses what is not a story', () => {
    expect(parseStory(undefined)).toBeNull();
    expect(parseStory('{not json')).toBeNull();
    expect(parseStory('{"target":1}')).toBeNull();
  });
});
