// Run links: the MLflow UI form and the Databricks form; artifact API paths derived from artifact_uri.
import { describe, expect, it } from 'vitest';
import { isDatabricksUri, runUrl } from '../../../src/tracking/run-url.js';
import { artifactApiPath, proxiedArtifactRoot } from '../../../src/tracking/mlflow-client.js';

describe('runUrl', () => {
  it.each([
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5000/#/experiments/3/runs/abc'],
    ['http://mlflow.local:5000/', 'http://mlflow.local:5000/#/experiments/3/runs/abc'],
    ['https://example.com/mlflow', 'https://example.com/mlflow/#/experiments/3/runs/abc'],
    [
      'https://dbc-1234.cloud.databricks.com',
      'https://dbc-1234.cloud.databricks.com/ml/experiments/3/runs/abc',
    ],
    [
      'https://adb-42.7.azuredatabricks.net/',
      'https://adb-42.7.azuredatabricks.net/ml/experiments/3/runs/abc',
    ],
    ['https://1.2.gcp.databricks.com', 'https://1.2.gcp.databricks.com/ml/experiments/3/runs/abc'],
  ])('%s', (uri, expected) => {
    expect(runUrl(uri, '3', 'abc')).toBe(expected);
  });

  it('uses the workspace host for the bare `databricks` URI, and gives no link without one', () => {
    expect(runUrl('databricks', '3', 'abc', 'https://dbc-9.cloud.databricks.com/')).toBe(
      'https://dbc-9.cloud.databricks.com/ml/experiments/3/runs/abc',
    );
    expect(runUrl('databricks', '3', 'abc')).toBeNull();
    expect(runUrl('databricks://profile', '3', 'abc', null)).toBeNull();
  });

  it('does not mistake look-alike hosts for Databricks', () => {
    expect(isDatabricksUri('https://notdatabricks.com')).toBe(false);
    expect(isDatabricksUri('https://databricks.com.evil.io')).toBe(false);
    expect(isDatabricksUri('https://x.cloud.databricks.com')).toBe(true);
  });
});

describe('artifact paths', () => {
  it('derives the proxied API path from mlflow-artifacts: URIs, with and without authority', () => {
    expect(proxiedArtifactRoot('mlflow-artifacts:/1/abc/artifacts')).toBe('1/abc/artifacts');
    expect(proxiedArtifactRoot('mlflow-artifacts://host:5000/1/abc/artifacts/')).toBe('1/abc/artifacts');
    expect(artifactApiPath('mlflow-artifacts:/1/abc/artifacts', 'iter 1/evidence.json')).toBe(
      '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/iter%201/evidence.json',
    );
  });

  it('refuses artifact roots the server does not proxy, and escaping paths', () => {
    expect(() => proxiedArtifactRoot('s3://bucket/1/abc')).toThrow(/not served by the tracking server/);
    expect(() => artifactApiPath('mlflow-artifacts:/1/abc/artifacts', '../../x')).toThrow(/relative path/);
    expect(() => artifactApiPath('mlflow-artifacts:/1/abc/artifacts', '/')).toThrow(/relative path/);
  });
});
