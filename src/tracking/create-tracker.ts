// Chooses the Tracker from configuration: MlflowTracker when MLFLOW_TRACKING_URI is set, else NoopTracker.
import type { MlflowConfig } from '../config/config.js';
import { createMlflowTracker, type MlflowTrackerOptions } from './mlflow-tracker.js';
import { NoopTracker } from './no-op-tracker.js';
import type { Tracker } from './tracker.js';

export function createTracker(mlflow: MlflowConfig | null, opts: MlflowTrackerOptions = {}): Tracker {
  return mlflow ? createMlflowTracker(mlflow, opts) : new NoopTracker();
}
