// Public surface of tracking: the Tracker interface, its MLflow and no-op implementations, the MLflow client.
export * from './tracker.js';
export { createTracker } from './create-tracker.js';
export { createMlflowTracker, investigationRunName, type MlflowTrackerOptions } from './mlflow-tracker.js';
export { NoopTracker } from './no-op-tracker.js';
export {
  createMlflowClient,
  type MlflowClient,
  type MlflowClientOptions,
  type CreateRunInput,
} from './mlflow-client.js';
export { MlflowError, isMlflowError, type MlflowFailure } from './mlflow-error.js';
export type { MlflowHttpOptions } from './mlflow-http.js';
export type { TrackingWarning } from './tracking-guard.js';
export { runUrl, isDatabricksUri } from './run-url.js';
export { MLFLOW_LIMITS, sanitizeKey, splitLogBatch } from './split-log-batch.js';
