// Configuration: defaults, and every bad variable named in a clear error.
import { describe, expect, it } from 'vitest';
import { loadConfig, parseDuration } from '../../../src/config/config.js';
import { AutofixError } from '../../../src/domain/index.js';

function errorOf(env: Record<string, string>): AutofixError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof AutofixError) return e;
    throw e;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('has sane defaults: no namespaces allowed, rule engine, no tracking, baseline policy', () => {
    const c = loadConfig({});
    expect(c.namespaces).toEqual([]);
    expect(c.llm).toBeNull();
    expect(c.mlflow).toBeNull();
    expect(c.maxIterations).toBe(3);
    expect(c.policy).toEqual({
      level: 'baseline',
      maxMemoryBytes: 4 * 2 ** 30,
      maxCpuCores: 4,
      maxReplicas: 20,
      maxTotalMemoryBytes: 32 * 2 ** 30,
      maxTotalCpuCores: 16,
      allowedRegistries: [],
    });
    expect(c.slack.proposalTtlSeconds).toBe(1800);
    expect(c.port).toBe(3000);
  });

  it('reads the LLM, MLflow and Slack settings', () => {
    const c = loadConfig({
      AUTOFIX_NAMESPACES: 'shop, payments',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000/',
      AUTOFIX_CHANNEL_NAMESPACES: 'C1=shop,C2=payments',
      AUTOFIX_APPROVERS: 'U1,S2',
    });
    expect(c.namespaces).toEqual(['shop', 'payments']);
    expect(c.llm).toMatchObject({
      apiKey: 'sk-test',
      baseUrl: 'http://127.0.0.1:9/v1',
      model: 'gpt-4o-mini',
    });
    expect(c.mlflow).toMatchObject({ trackingUri: 'http://127.0.0.1:5000', experimentName: 'kube-autofix' });
    expect(c.slack.channelNamespaces).toEqual({ C1: 'shop', C2: 'payments' });
    expect(c.slack.approvers).toEqual(['U1', 'S2']);
  });

  it.each([
    ['AUTOFIX_NAMESPACES', 'Shop!'],
    ['AUTOFIX_MAX_ITERATIONS', '0'],
    ['AUTOFIX_MAX_ITERATIONS', 'three'],
    ['AUTOFIX_POLICY_LEVEL', 'privileged'],
    ['AUTOFIX_MAX_MEMORY', '12 gigs'],
    ['AUTOFIX_MAX_CPU', '-1'],
    ['AUTOFIX_MAX_TOTAL_MEMORY', 'a lot'],
    ['AUTOFIX_MAX_TOTAL_CPU', '0'],
    ['AUTOFIX_PROPOSAL_TTL', 'soon'],
    ['AUTOFIX_CHANNEL_NAMESPACES', 'C1'],
    ['OPENAI_BASE_URL', 'not a url'],
    ['MLFLOW_TRACKING_URI', 'localhost:5000'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
  ])('names %s when it is invalid (%s)', (name, value) => {
    const e = errorOf({ [name]: value, ...(name === 'OPENAI_BASE_URL' ? { OPENAI_API_KEY: 'k' } : {}) });
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(name);
    expect(e.exitCode).toBe(2);
  });

  it('parses durations', () => {
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('2h')).toBe(7200);
    expect(parseDuration('45')).toBe(45);
    expect(parseDuration('1d')).toBeNull();
  });
});
