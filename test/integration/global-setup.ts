// Fails the integration suite early, with the fix, when the sandbox is not up.
import { sandboxEnv } from './sandbox-env.js';

export default function setup(): void {
  const env = sandboxEnv();
  Object.assign(process.env, {
    KUBECONFIG: env.KUBECONFIG,
    REDIS_URL: env.REDIS_URL,
    MLFLOW_TRACKING_URI: env.MLFLOW_TRACKING_URI,
  });
}
