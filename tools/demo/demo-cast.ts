// Who and where the demo plays: the channel, the three people in the user picker, the target, the settings.
import type { LocalSlackUser } from '../stand-ins/local-slack/local-slack-web.js';

export const DEMO_NAMESPACE = 'shop';
export const DEMO_TARGET = 'deployment/web';
export const DEMO_COMMAND = `/autofix ${DEMO_TARGET} -n ${DEMO_NAMESPACE}`;
/** Its own Redis keys and MLflow experiment, so a demo never meets the tests' jobs or runs. */
export const DEMO_QUEUE_PREFIX = 'autofix-demo';
export const DEMO_EXPERIMENT = 'kube-autofix-demo';
export const DEMO_CHANNEL = { id: 'C0DEMOOPS', name: 'ops' };

export const ONCALL: LocalSlackUser = { id: 'U0DANA', name: 'Dana', role: 'on-call, asks for the fix' };
export const APPROVER: LocalSlackUser = { id: 'U0PRIYA', name: 'Priya', role: 'approver' };
export const BYSTANDER: LocalSlackUser = { id: 'U0SAM', name: 'Sam', role: 'not an approver' };
export const DEMO_USERS = [ONCALL, APPROVER, BYSTANDER];
