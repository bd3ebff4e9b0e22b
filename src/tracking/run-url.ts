// The MLflow UI link of a run: `<tracking>/#/experiments/<exp>/runs/<run>`, or Databricks' `/ml/experiments/…`.

const DATABRICKS_HOST =
  /(^|\.)(cloud\.databricks\.com|gcp\.databricks\.com|azuredatabricks\.net|databricks\.com)$/i;

/** True when the tracking URI is Databricks: `databricks`, `databricks://<profile>`, or a Databricks host. */
export function isDatabricksUri(trackingUri: string): boolean {
  if (trackingUri === 'databricks' || trackingUri.startsWith('databricks://')) return true;
  try {
    return DATABRICKS_HOST.test(new URL(trackingUri).hostname);
  } catch {
    return false;
  }
}

/**
 * The run's UI URL, or null when it cannot be known (the URI `databricks` without a workspace host).
 * `databricksHost` is the workspace URL for the bare `databricks` URI (DATABRICKS_HOST).
 */
export function runUrl(
  trackingUri: string,
  experimentId: string,
  runId: string,
  databricksHost?: string | null,
): string | null {
  const exp = encodeURIComponent(experimentId);
  const run = encodeURIComponent(runId);
  if (isDatabricksUri(trackingUri)) {
    const host = trackingUri.startsWith('databricks') ? databricksHost : trackingUri;
    if (!host) return null;
    return `${new URL(host).origin}/ml/experiments/${exp}/runs/${run}`;
  }
  return `${trackingUri.replace(/\/+$/, '')}/#/experiments/${exp}/runs/${run}`;
}
