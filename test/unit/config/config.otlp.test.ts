// The user's collector (OTEL_EXPORTER_OTLP_*): off without an endpoint, the spec's URL and header rules, bad values named.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { AutofixError } from '../../../src/domain/index.js';

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof AutofixError) return e.message;
    throw e;
  }
  throw new Error('expected a configuration error');
}

describe('OTLP collector configuration', () => {
  it('is off without an endpoint, even with headers', () => {
    expect(loadConfig({}).otlp).toBeNull();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'a=b' }).otlp).toBeNull();
  });

  it('appends /v1/traces to the base endpoint and takes the traces endpoint as it is', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otlp).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      headers: {},
      timeoutMs: 10_000,
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otel.example.com/ingest',
      }).otlp?.tracesUrl,
    ).toBe('https://otel.example.com/ingest');
  });

  it('reads percent-encoded headers, the traces ones overriding key by key, and the timeout', () => {
    const otlp = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc, x-team=ops',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=sre',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
    }).otlp;
    expect(otlp).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      headers: { authorization: 'Bearer abc', 'x-team': 'sre' },
      timeoutMs: 3000,
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '500',
      }).otlp?.timeoutMs,
    ).toBe(500);
  });

  it('names a bad endpoint, header or timeout, never echoing a header value', () => {
    expect(errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' })).toMatch(
      /^OTEL_EXPORTER_OTLP_ENDPOINT is invalid: expected an http\(s\) URL/,
    );
    expect(errorOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://c:4317' })).toMatch(
      /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is invalid/,
    );
    const header = errorOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'Bearer s3cr3t-token',
    });
    expect(header).toMatch(/^OTEL_EXPORTER_OTLP_HEADERS is invalid: expected comma-separated key=value/);
    expect(header).not.toContain('s3cr3t');
    expect(
      errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'k=%E0%A4%A' }),
    ).not.toContain('%E0');
    expect(
      errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '10s' }),
    ).toMatch(/^OTEL_EXPORTER_OTLP_TRACES_TIMEOUT is invalid/);
  });
});
