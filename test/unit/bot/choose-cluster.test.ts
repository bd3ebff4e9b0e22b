// Choosing the cluster: the flag, the channel default, the only one; refusals that say why and what to do.
import { describe, expect, it } from 'vitest';
import { chooseCluster, commandContextFor } from '../../../src/bot/choose-cluster.js';
import { directoryOf } from '../../../src/bot/cluster-directory.js';
import { parseAutofixCommand } from '../../../src/slack/parse-command.js';
import { NOW, seen } from '../../fixtures/registrations.js';

const fleet = directoryOf(
  NOW,
  [
    seen('prod-eu', 12 * 60_000, { namespaces: ['shop'] }),
    seen('staging', 2000, { namespaces: ['shop', 'sandbox'] }),
    seen('prod-us', 1000, { namespaces: ['shop', 'payments'] }),
  ],
  [],
);
const one = directoryOf(NOW, [seen('default', 1000, { namespaces: ['shop'] })], []);
const none = directoryOf(NOW, [], []);

describe('chooseCluster', () => {
  it('takes the named cluster, then the channel default, then the only one', () => {
    expect(chooseCluster({ directory: fleet, channelCluster: 'staging' }, 'prod-us', true)).toEqual({
      ok: true,
      cluster: 'prod-us',
      namespaces: ['shop', 'payments'],
    });
    expect(chooseCluster({ directory: fleet, channelCluster: 'staging' }, undefined, true)).toMatchObject({
      ok: true,
      cluster: 'staging',
    });
    expect(chooseCluster({ directory: one, channelCluster: undefined }, undefined, true)).toMatchObject({
      ok: true,
      cluster: 'default',
    });
  });

  it('refuses a cluster with no live worker at once, saying when one was last seen', () => {
    const r = chooseCluster({ directory: fleet, channelCluster: undefined }, 'prod-eu', true);
    expect(r).toEqual({
      ok: false,
      message: expect.stringMatching(
        /^No worker serves cluster prod-eu; last seen 12 min ago\. Nothing was started/,
      ),
    });
    // The channel default is held to the same rule.
    expect(chooseCluster({ directory: fleet, channelCluster: 'prod-eu' }, undefined, true)).toMatchObject({
      ok: false,
    });
  });

  it('a cluster never registered is named as such, with the known ones', () => {
    const r = chooseCluster({ directory: fleet, channelCluster: undefined }, 'prod-ap', true);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(/none has ever registered under that name/);
    expect(r.message).toContain('`prod-us` (1 live)');
    expect(r.message).toContain('`prod-eu` (last seen 12 min ago)');
  });

  it('several clusters and no default: an answer listing them and how to choose', () => {
    const r = chooseCluster({ directory: fleet, channelCluster: undefined, command: '/af' }, undefined, true);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(
      /Several clusters are served here: `prod-eu` \(last seen 12 min ago\), `prod-us` \(1 live\), `staging` \(1 live\)/,
    );
    expect(r.message).toContain('`--cluster <name>`');
    expect(r.message).toContain('`/af deployment/web -n shop -c prod-eu`');
    expect(r.message).toContain('AUTOFIX_CHANNEL_CLUSTERS');
  });

  it('no worker registered at all says how to start one', () => {
    const r = chooseCluster({ directory: none, channelCluster: undefined }, undefined, true);
    expect(r).toMatchObject({
      ok: false,
      message: expect.stringMatching(/No kube-autofix worker has registered yet/),
    });
  });

  it('what the bot answers alone takes a cluster whose workers are gone, with their last allowlist', () => {
    expect(chooseCluster({ directory: fleet, channelCluster: undefined }, 'prod-eu', false)).toEqual({
      ok: true,
      cluster: 'prod-eu',
      namespaces: ['shop'],
    });
    expect(chooseCluster({ directory: fleet, channelCluster: undefined }, 'prod-ap', false)).toMatchObject({
      ok: false,
    });
  });
});

describe('commandContextFor', () => {
  const slack = { channelNamespaces: { C0EU: 'shop' }, channelClusters: { C0EU: 'staging' } };

  it("parses against the channel's default cluster and that cluster's allowlist", () => {
    const ctx = commandContextFor(slack, { channel_id: 'C0EU', command: '/autofix' }, fleet);
    expect(parseAutofixCommand('deployment/web -n sandbox', ctx)).toMatchObject({
      kind: 'investigate',
      cluster: 'staging',
    });
    expect(parseAutofixCommand('deployment/web -n sandbox -c prod-us', ctx)).toMatchObject({
      kind: 'invalid',
    });
    expect(parseAutofixCommand('deployment/web -c prod-eu', ctx)).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/No worker serves cluster prod-eu; last seen 12 min ago/),
    });
  });

  it('a channel without a default in a fleet is asked to choose', () => {
    const ctx = commandContextFor(slack, { channel_id: 'C0OTHER' }, fleet);
    expect(parseAutofixCommand('deployment/web -n shop', ctx)).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/Several clusters/),
    });
  });
});
