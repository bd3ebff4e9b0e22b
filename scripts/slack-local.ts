// Local Slack for trying the bot by hand: the Slack stand-in, signed /autofix and button clicks typed on stdin.
//   npx tsx scripts/slack-local.ts          → prints the env lines for `kube-autofix start`, then reads commands:
//   /autofix deployment/web -n shop         → a signed slash command from U0LOCAL in C0LOCAL
//   approve|reject|rollback <proposal-id>   → a signed click by U0LOCAL on the newest message with that button
// Every message the bot posts or edits is echoed (its plain-text fallback).
import { createInterface } from 'node:readline';
import {
  blockActionPayload,
  startSlackStandIn,
  type StoredMessage,
} from '../tools/local-slack/slack-stand-in.js';

const SECRET = 'local-signing-secret';
const USER = 'U0LOCAL';
const CHANNEL = 'C0LOCAL';
const botUrl = process.env.BOT_URL ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}/slack/events`;

const slack = await startSlackStandIn();
process.stdout.write(
  [
    '# In another terminal (with the sandbox env sourced), start the bot and a worker:',
    `export SLACK_API_URL='${slack.apiUrl}' SLACK_BOT_TOKEN='${slack.botToken}' SLACK_SIGNING_SECRET='${SECRET}'`,
    `export AUTOFIX_APPROVERS='${USER}' AUTOFIX_NAMESPACES="\${AUTOFIX_NAMESPACES:-shop}"`,
    'npx tsx src/cli/main.ts start',
    `# Then type here: /autofix deployment/web -n shop   |   approve <proposal-id>   (bot: ${botUrl})`,
    '',
  ].join('\n'),
);

/** Echo new messages and new versions as the bot posts and edits them. */
const shown = new Map<string, number>();
function echo(m: StoredMessage): void {
  const seen = shown.get(m.ts) ?? 0;
  for (const v of m.versions.slice(seen)) {
    const where = m.threadTs ? `  └ ${m.ts}` : `● ${m.ts}`;
    process.stdout.write(`${where}${seen > 0 ? ' (edited)' : ''}: ${v.text}\n`);
    for (const b of v.blocks as Array<{
      type?: string;
      elements?: Array<{ action_id?: string; value?: string }>;
    }>) {
      for (const e of b.type === 'actions' ? (b.elements ?? []) : [])
        process.stdout.write(`      [${e.action_id?.replace('autofix_', '')} ${e.value}]\n`);
    }
  }
  shown.set(m.ts, m.versions.length);
}
setInterval(() => {
  for (const m of slack.messagesIn(CHANNEL, null)) {
    echo(m);
    for (const r of slack.messagesIn(CHANNEL, m.ts)) echo(r);
  }
  for (const r of slack.responses().slice(shown.get('responses') ?? 0))
    process.stdout.write(`  (only you) ${String(r.body.text ?? '')}\n`);
  shown.set('responses', slack.responses().length);
}, 300).unref();

function carrying(actionId: string, proposalId: string): StoredMessage | undefined {
  const all = slack.messagesIn(CHANNEL, null).flatMap((p) => [p, ...slack.messagesIn(CHANNEL, p.ts)]);
  return all
    .reverse()
    .find(
      (m) =>
        JSON.stringify(m.blocks).includes(`"action_id":"autofix_${actionId}"`) &&
        JSON.stringify(m.blocks).includes(proposalId),
    );
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const text = line.trim();
  const run = async (): Promise<void> => {
    if (text.startsWith('/autofix')) {
      const r = await slack.sendSlashCommand(botUrl, SECRET, {
        text: text.slice('/autofix'.length).trim(),
        user_id: USER,
        channel_id: CHANNEL,
      });
      process.stdout.write(
        `  → ${r.status} in ${r.ms.toFixed(0)} ms${r.body ? `: ${r.body.slice(0, 300)}` : ''}\n`,
      );
      return;
    }
    const click = /^(approve|reject|rollback)\s+(\S+)$/.exec(text);
    if (!click)
      return void process.stdout.write(
        '  ? /autofix <kind>/<name> -n <ns> | approve|reject|rollback <proposal-id>\n',
      );
    const m = carrying(click[1]!, click[2]!);
    if (!m) return void process.stdout.write(`  ? no message with a ${click[1]} button for ${click[2]}\n`);
    const payload = blockActionPayload({
      actionId: `autofix_${click[1]}`,
      value: click[2]!,
      userId: USER,
      channelId: CHANNEL,
      messageTs: m.ts,
      threadTs: m.threadTs ?? undefined,
      responseUrl: slack.responseUrl(),
    });
    const r = await slack.sendBlockAction(botUrl, SECRET, payload);
    process.stdout.write(`  → ${r.status} in ${r.ms.toFixed(0)} ms\n`);
  };
  run().catch((e: unknown) => process.stdout.write(`  ! ${e instanceof Error ? e.message : String(e)}\n`));
});
rl.on('close', () => void slack.close().then(() => process.exit(0)));
