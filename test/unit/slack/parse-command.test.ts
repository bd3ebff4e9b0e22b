// The /autofix grammar: valid forms, and one message per bad-input class that says what was wrong and the right form.
import { describe, expect, it } from 'vitest';
import {
  formatAutofixCommand,
  parseAutofixCommand,
  type CommandContext,
} from '../../../src/slack/parse-command.js';
import { clusters, singleCluster } from '../../fixtures/command-context.js';

const ctx: CommandContext = {
  channelId: 'C0SHOP',
  channelNamespaces: { C0SHOP: 'shop' },
  chooseCluster: singleCluster(['shop', 'payments']),
};
const noDefault: CommandContext = { ...ctx, channelId: 'C0OTHER' };

function invalid(text: string, c: CommandContext = ctx): string {
  const parsed = parseAutofixCommand(text, c);
  if (parsed.kind !== 'invalid')
    throw new Error(`expected invalid for ${JSON.stringify(text)}, got ${parsed.kind}`);
  return parsed.message;
}

describe('parseAutofixCommand: valid input', () => {
  it.each([
    ['deployment/web -n shop', 'Deployment', 'web', 'shop', 'flag'],
    ['-n shop deployment/web', 'Deployment', 'web', 'shop', 'flag'],
    ['deployment/web --namespace payments', 'Deployment', 'web', 'payments', 'flag'],
    ['deployment/web --namespace=payments', 'Deployment', 'web', 'payments', 'flag'],
    ['-n=payments sts/db', 'StatefulSet', 'db', 'payments', 'flag'],
    ['  deploy/web.v2   -n   shop  ', 'Deployment', 'web.v2', 'shop', 'flag'],
    ['Deployment/web', 'Deployment', 'web', 'shop', 'channel'],
    ['statefulsets/db\t-n\tshop', 'StatefulSet', 'db', 'shop', 'flag'],
    ['deployment/web\u00a0-n shop', 'Deployment', 'web', 'shop', 'flag'],
  ])('%j', (text, kind, name, namespace, from) => {
    expect(parseAutofixCommand(text, ctx)).toEqual({
      kind: 'investigate',
      cluster: 'default',
      target: { kind, name, namespace },
      namespaceFrom: from,
    });
  });

  it.each(['help', 'HELP', ' help ', '-h', '--help', 'deployment/web --help'])('%j is help', (text) => {
    expect(parseAutofixCommand(text, ctx)).toEqual({ kind: 'help' });
  });

  it.each([
    ['-n shop', 'shop', 'flag'],
    ['--namespace=payments', 'payments', 'flag'],
    ['', 'shop', 'channel'],
    ['   ', 'shop', 'channel'],
  ])('%j triages the namespace', (text, namespace, from) => {
    expect(parseAutofixCommand(text, ctx)).toEqual({
      kind: 'triage',
      cluster: 'default',
      namespace,
      namespaceFrom: from,
    });
  });

  it.each([
    ['pod/web-5d8c9f7b6d-x7k2p -n shop', 'Pod', 'web-5d8c9f7b6d-x7k2p', 'shop', 'flag'],
    ['po/web-1', 'Pod', 'web-1', 'shop', 'channel'],
    ['replicaset/web-5d8c9f7b6d -n payments', 'ReplicaSet', 'web-5d8c9f7b6d', 'payments', 'flag'],
    ['rs/web-5d8c9f7b6d', 'ReplicaSet', 'web-5d8c9f7b6d', 'shop', 'channel'],
  ])('%j is a reference the worker resolves', (text, kind, name, namespace, from) => {
    expect(parseAutofixCommand(text, ctx)).toEqual({
      kind: 'resolve',
      cluster: 'default',
      ref: { kind, name, namespace },
      namespaceFrom: from,
    });
  });

  it('a pod in a namespace outside the allowlist is refused before anything is enqueued', () => {
    expect(invalid('pod/web-1 -n kube-system')).toMatch(/Namespace `kube-system` is not in/);
  });

  it('round-trips the re-run command it offers', () => {
    const target = { kind: 'StatefulSet' as const, name: 'db-0.x', namespace: 'payments' };
    const command = formatAutofixCommand(target);
    expect(command).toBe('/autofix statefulset/db-0.x -n payments');
    expect(parseAutofixCommand(command.replace('/autofix ', ''), noDefault)).toMatchObject({
      kind: 'investigate',
      target,
    });
  });
});

describe('parseAutofixCommand: clusters', () => {
  const two: CommandContext = {
    ...ctx,
    chooseCluster: clusters({ staging: ['shop', 'sandbox'], 'prod-eu': ['shop'] }),
  };

  it.each([
    ['deployment/web -n shop -c prod-eu', 'prod-eu'],
    ['deployment/web -n shop --cluster prod-eu', 'prod-eu'],
    ['--cluster=prod-eu deployment/web', 'prod-eu'],
    ['-c staging -n shop deployment/web', 'staging'],
  ])('%j goes to %s', (text, cluster) => {
    expect(parseAutofixCommand(text, two)).toMatchObject({ kind: 'investigate', cluster });
  });

  it("checks the namespace against the chosen cluster's own allowlist", () => {
    expect(parseAutofixCommand('deployment/web -n sandbox -c staging', two)).toMatchObject({
      kind: 'investigate',
      cluster: 'staging',
    });
    const message = invalid('deployment/web -n sandbox -c prod-eu', two);
    expect(message).toMatch(/Namespace `sandbox` is not in kube-autofix's allowlist on cluster `prod-eu`/);
    expect(message).toContain('Allowed: `shop`.');
  });

  it("a cluster the chooser refuses is a refusal (the chooser's words), not a usage error", () => {
    expect(parseAutofixCommand('deployment/web -n shop -c nowhere', two)).toEqual({
      kind: 'refused',
      message: 'No worker serves cluster nowhere.',
    });
    expect(parseAutofixCommand('-n shop -c nowhere', two)).toMatchObject({ kind: 'refused' });
  });

  it('triage and pod references carry the cluster too', () => {
    expect(parseAutofixCommand('-n shop -c prod-eu', two)).toMatchObject({
      kind: 'triage',
      cluster: 'prod-eu',
    });
    expect(parseAutofixCommand('pod/web-1 -c prod-eu', two)).toMatchObject({
      kind: 'resolve',
      cluster: 'prod-eu',
    });
  });

  it('`clusters` alone lists them', () => {
    expect(parseAutofixCommand('clusters', two)).toEqual({ kind: 'clusters' });
    expect(parseAutofixCommand(' CLUSTERS ', two)).toEqual({ kind: 'clusters' });
  });

  it('asks for a live worker except for what the bot answers alone (a workload, not a pod)', () => {
    const asked: boolean[] = [];
    const spy: CommandContext = {
      ...ctx,
      answeredByBot: true,
      chooseCluster: (r, needsWorker) => {
        asked.push(needsWorker);
        return { ok: true, cluster: 'default', namespaces: ['shop'] };
      },
    };
    parseAutofixCommand('deployment/web -n shop', spy);
    parseAutofixCommand('pod/web-1 -n shop', spy);
    parseAutofixCommand('deployment/web -n shop', { ...spy, answeredByBot: false });
    expect(asked).toEqual([false, true, true]);
  });

  it('offers the re-run command on the cluster it ran on', () => {
    const target = { kind: 'Deployment' as const, name: 'web', namespace: 'shop' };
    const command = formatAutofixCommand(target, '/autofix', 'prod-eu');
    expect(command).toBe('/autofix deployment/web -n shop -c prod-eu');
    expect(parseAutofixCommand(command.replace('/autofix ', ''), two)).toMatchObject({
      cluster: 'prod-eu',
      target,
    });
  });
});

describe('parseAutofixCommand: every invalid message shows the right form', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'unknown kind',
      'cronjob/web -n shop',
      /Unsupported kind "cronjob"; supported: deployment, deployments, deploy/,
    ],
    ['job kind', 'job/web-123 -n shop', /Unsupported kind "job"; supported: .*pod, pods, po, replicaset/],
    ['triage of a bad namespace', '-n Shop', /"Shop" is not a valid namespace name/],
    ['no slash', 'web -n shop', /not of the form <kind>\/<name>/],
    ['too many slashes', 'shop/deployment/web', /not of the form <kind>\/<name>/],
    ['uppercase name', 'deployment/Web -n shop', /"Web" is not a valid object name/],
    [
      'underscore name',
      'deployment/my_app -n shop',
      /"my_app" is not a valid object name \(lowercase letters/,
    ],
    ['name too long', `deployment/${'a'.repeat(254)} -n shop`, /not a valid object name/],
    ['bad namespace', 'deployment/web -n Shop', /"Shop" is not a valid namespace name/],
    ['namespace too long', `deployment/web -n ${'a'.repeat(64)}`, /not a valid namespace name/],
    ['space instead of slash', 'deployment web -n shop', /joined by a slash: `deployment\/web`/],
    ['extra junk', 'deployment/web -n shop please', /Unexpected `please` after the target/],
    ['two targets', 'deployment/web deployment/api', /Unexpected `deployment\/api`/],
    [
      'repeated flag',
      'deployment/web -n shop -n payments',
      /namespace is given twice \(`shop` and `payments`\)/,
    ],
    ['repeated mixed flags', 'deployment/web --namespace=shop -n shop', /given twice/],
    ['flag without value', 'deployment/web -n', /`-n` needs a namespace after it/],
    ['flag followed by flag', 'deployment/web --namespace -n shop', /`--namespace` needs a namespace/],
    ['empty = value', 'deployment/web --namespace=', /`--namespace` needs a namespace/],
    ['unknown flag', 'deployment/web -A', /Unknown option `-A`; the only options are `-n <namespace>`/],
    ['a kubectl-style context flag', 'deployment/web --context prod', /the cluster option is `-c <cluster>`/],
    ['cluster flag without value', 'deployment/web -c', /`-c` needs a cluster after it, e.g. `-c prod-eu`/],
    ['repeated cluster', 'deployment/web -c a -c b', /cluster is given twice \(`a` and `b`\)/],
    ['bad cluster name', 'deployment/web -c Prod_EU', /"Prod_EU" is not a valid cluster name/],
    ['glued short flag', 'deployment/web -nshop', /did you mean `-n shop`\?/],
    [
      'single-dash long flag',
      'deployment/web -namespace shop',
      /Unknown option `-namespace`; the namespace option is/,
    ],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    const message = invalid(text);
    expect(message).toMatch(expected);
    expect(message).toContain(
      'Usage: `/autofix <kind>/<name> [-n <namespace>] [-c <cluster>]`, e.g. `/autofix deployment/web -n shop`',
    );
  });

  it.each(['', '   \t '])('%j without a channel default: no target and how to set a default', (text) => {
    const message = invalid(text, noDefault);
    expect(message).toMatch(/No target given. No namespace given, and this channel has no default namespace/);
    expect(message).toContain('AUTOFIX_CHANNEL_NAMESPACES (e.g. `C0OTHER=shop`)');
  });

  it('triage of a namespace outside the allowlist is refused like an investigation', () => {
    expect(invalid('-n kube-system')).toMatch(/Namespace `kube-system` is not in kube-autofix's allowlist/);
    expect(invalid('', { ...ctx, channelNamespaces: { C0SHOP: 'legacy' } })).toMatch(/Namespace `legacy`/);
  });

  it('missing namespace with no channel default says how to fix both ways', () => {
    const message = invalid('deployment/web', noDefault);
    expect(message).toMatch(
      /No namespace given, and this channel has no default namespace. Add `-n <namespace>`/,
    );
    expect(message).toContain('AUTOFIX_CHANNEL_NAMESPACES (e.g. `C0OTHER=shop`)');
  });

  it('namespace outside the allowlist is refused with how to allow it', () => {
    const message = invalid('deployment/web -n kube-system');
    expect(message).toMatch(/Namespace `kube-system` is not in kube-autofix's allowlist/);
    expect(message).toContain('Allowed: `shop`, `payments`.');
    expect(message).toContain('AUTOFIX_NAMESPACES');
  });

  it('a channel default outside the allowlist is refused too', () => {
    const message = invalid('deployment/web', { ...ctx, channelNamespaces: { C0SHOP: 'legacy' } });
    expect(message).toMatch(/Namespace `legacy` is not in/);
  });

  it('an empty allowlist says nothing is allowed yet', () => {
    expect(invalid('deployment/web -n shop', { ...ctx, chooseCluster: singleCluster([]) })).toMatch(
      /No namespace is allowed there yet/,
    );
  });

  it('uses the configured command name in the usage', () => {
    expect(invalid('', { ...noDefault, command: '/autofix-dev' })).toContain(
      '`/autofix-dev deployment/web -n shop`',
    );
  });
});

describe('parseAutofixCommand: hostile and odd input', () => {
  it('very long input is refused before anything else', () => {
    expect(invalid(`deployment/web -n shop ${'x'.repeat(600)}`)).toMatch(
      /is 62\d characters long; the limit is 500/,
    );
  });

  it.each([
    ['semicolon', 'deployment/web -n shop; kubectl delete ns shop', /"."/],
    ['backticks', 'deployment/`whoami` -n shop', /"`"/],
    ['command substitution', 'deployment/$(id) -n shop', /"\$"/],
    ['pipe', 'deployment/web -n shop | sh', /"\|"/],
    ['quotes', '"deployment/web" -n shop', /"""/],
    ['escaped ampersand', 'deployment/web -n shop &amp;&amp; rm', /"&"/],
    ['raw redirect', 'deployment/web -n shop > /etc/passwd', /"&gt;"|">"/],
  ])('%s', (_name, text, char) => {
    const message = invalid(text);
    expect(message).toMatch(/cannot appear in a kind, name or namespace \(nothing is run in a shell\)/);
    expect(message).toMatch(char);
  });

  it.each([
    ['escaped user mention', 'deployment/web -n shop &lt;@U123ABC|bob&gt;'],
    ['raw user mention', 'deployment/web -n shop <@U123ABC>'],
    ['channel broadcast', '<!channel> deployment/web'],
    ['here broadcast', 'deployment/web &lt;!here&gt;'],
    ['channel link', 'deployment/web <#C123|ops>'],
    ['plain @mention', 'deployment/web -n shop @bob'],
  ])('%s', (_name, text) => {
    expect(invalid(text)).toMatch(
      /^Mentions \(@user, @channel, @here, #channel\) are not part of the command/,
    );
  });

  it('links are refused', () => {
    expect(invalid('&lt;https://evil.example/x|deployment/web&gt;')).toMatch(
      /^Links are not part of the command/,
    );
  });

  it.each([
    ['newline', 'deployment/web\n-n shop', /spans several lines/],
    ['carriage return', 'deployment/web -n shop\r', /spans several lines/],
    ['line separator', 'deployment/web\u2028', /spans several lines/],
    ['NUL', 'deployment/web\u0000 -n shop', /control character \(U\+0000\)/],
    ['escape sequence', 'deployment/web \u001b[31m', /control character \(U\+001B\)/],
    ['C1 control', 'deployment/web\u0085', /control character \(U\+0085\)/],
    ['zero-width space', 'deployment/w\u200beb -n shop', /invisible character \(U\+200B\)/],
    ['right-to-left override', 'deployment/\u202ebew -n shop', /invisible character \(U\+202E\)/],
    ['BOM', '\ufeffdeployment/web', /invisible character \(U\+FEFF\)/],
  ])('%s', (_name, text, expected) => {
    expect(invalid(text)).toMatch(expected);
  });

  it.each([
    ['em dash flag', 'deployment/web —namespace shop', /"—" \(U\+2014\) is not a plain hyphen/],
    ['en dash flag', 'deployment/web –n shop', /"–" \(U\+2013\) is not a plain hyphen/],
    ['minus sign', 'deployment/web \u2212n shop', /U\+2212/],
    [
      'Cyrillic e',
      'deployment/wеb -n shop',
      /"е" \(U\+0435\) which looks like "e" but is a different character/,
    ],
    ['Greek omicron', 'deployment/fο -n shop', /U\+03BF\) which looks like "o"/],
    ['fullwidth slash', 'deployment／web -n shop', /"／" \(U\+FF0F\) which looks like "\/"/],
    ['fullwidth letters', 'ｄeployment/web', /which looks like "d"/],
    ['accented letter', 'deployment/wéb -n shop', /"é" \(U\+00E9\); Kubernetes names use plain ASCII only/],
    ['emoji', 'deployment/web 🔥', /U\+1F525/],
  ])('%s', (_name, text, expected) => {
    expect(invalid(text)).toMatch(expected);
  });

  it('decodes Slack escaping once, so a literal &amp;lt; is not a mention', () => {
    expect(invalid('deployment/web &amp;lt;@U1&amp;gt;')).toMatch(/"&"/);
  });

  it('never echoes more than a short piece of a long token', () => {
    const message = invalid(`deployment/web ${'a'.repeat(200)}`);
    expect(message).toContain(`\`${'a'.repeat(40)}…\``);
    expect(message.length).toBeLessThan(400);
  });

  it('never throws, whatever the input', () => {
    const samples = [
      '/',
      '//',
      'deployment/',
      '/web',
      '-',
      '--',
      '-n=',
      '=',
      'deployment/web -n shop -',
      '\u0000',
    ];
    for (const s of samples) expect(() => parseAutofixCommand(s, ctx)).not.toThrow();
    for (const s of samples) expect(parseAutofixCommand(s, ctx).kind).toBe('invalid');
  });
});
