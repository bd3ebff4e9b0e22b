// One Bolt listener for all of the bot's buttons, routing by action_id: Bolt runs every registered listener's
// middleware on every request (commands included), so six button registrations cost each /autofix six chains.
import type { AllMiddlewareArgs, App, SlackActionMiddlewareArgs } from '@slack/bolt';

export type ActionHandler = (args: SlackActionMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The action id of a block action (buttons); undefined for other interactions. */
export function actionIdOf(action: SlackActionMiddlewareArgs['action']): string | undefined {
  return 'action_id' in action && typeof action.action_id === 'string' ? action.action_id : undefined;
}

/** Registers one listener matching exactly the ids in `handlers`, each click going to its own handler. */
export function routeActions(app: App, handlers: ReadonlyMap<string, ActionHandler>): void {
  if (handlers.size === 0) return;
  const ids = new RegExp(`^(?:${[...handlers.keys()].map(escape).join('|')})$`);
  app.action(ids, async (args) => {
    const id = actionIdOf(args.action);
    const handler = id === undefined ? undefined : handlers.get(id);
    if (handler) await handler(args);
  });
}
