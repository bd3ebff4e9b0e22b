// The ephemeral answer to a command that did not parse: what was wrong and the right form.
import { escapeMrkdwn } from '../slack-limits.js';
import { context, message, section, type SlackMessage } from './block-parts.js';

/** `problem` is the parser's message: plain text with `code` spans; it is escaped, never trusted as markup. */
export function buildInvalidCommandMessage(problem: string, command = '/autofix'): SlackMessage {
  const [first = problem, ...rest] = escapeMrkdwn(problem).split('\n');
  const body = [`:warning: ${first}`, ...rest].join('\n');
  return message(escapeMrkdwn(problem), [
    section(body),
    context(`\`${escapeMrkdwn(command)} help\` shows the full usage.`),
  ]);
}
