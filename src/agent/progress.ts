// Progress events of an investigation: the CLI prints them on stderr, the worker edits a Slack message.
export type Stage =
  'collect' | 'analyze' | 'diagnose' | 'propose' | 'validate' | 'dry_run' | 'apply' | 'rollout' | 'done';

export interface ProgressEvent {
  stage: Stage;
  iteration: number;
  message: string;
}

export type ProgressSink = (event: ProgressEvent) => void;

export const noProgress: ProgressSink = () => {};
