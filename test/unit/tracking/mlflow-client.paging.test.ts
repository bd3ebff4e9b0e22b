// runs/search page by page against a local HTTP server answering in MLflow's paging shape: `max_results` per
// request, an opaque `page_token` in and `next_page_token` out (absent on the last page), as MLflow's store does.
import { afterEach, describe, expect, it } from 'vitest';
import { createMlflowClient, SEARCH_PAGE_SIZE } from '../../../src/tracking/mlflow-client.js';
import {
  mlflowError,
  startMlflowFailureServer,
  type MlflowFailureServer,
} from '../../../tools/stand-ins/mlflow-failure-server.js';

let server: MlflowFailureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const run = (i: number) => ({
  info: {
    run_id: i.toString(16).padStart(32, '0'),
    experiment_id: '1',
    status: 'FINISHED',
    artifact_uri: `mlflow-artifacts:/1/${i}/artifacts`,
    lifecycle_stage: 'active',
    start_time: 1_000_000 - i,
  },
  data: { tags: [{ key: 'n', value: String(i) }] },
});

interface SearchBody {
  max_results: number;
  page_token?: string;
  filter: string;
}

/** `total` runs, newest first; the token is base64 JSON of the next offset, as MLflow's SQL store makes it. */
async function mlflowWith(total: number, opts: { refuseAbove?: number } = {}): Promise<MlflowFailureServer> {
  return startMlflowFailureServer((req) => {
    if (req.url !== '/api/2.0/mlflow/runs/search') return mlflowError(404, 'ENDPOINT_NOT_FOUND');
    const body = JSON.parse(req.body) as SearchBody;
    if (body.max_results > (opts.refuseAbove ?? 50_000))
      return mlflowError(400, 'INVALID_PARAMETER_VALUE', `max_results ${body.max_results} too big`);
    const offset = body.page_token
      ? (JSON.parse(Buffer.from(body.page_token, 'base64').toString()) as { offset: number }).offset
      : 0;
    const end = Math.min(total, offset + body.max_results);
    const runs = Array.from({ length: end - offset }, (_, i) => run(offset + i));
    const next = end < total ? Buffer.from(JSON.stringify({ offset: end })).toString('base64') : undefined;
    return { status: 200, body: { runs, ...(next ? { next_page_token: next } : {}) } };
  });
}

const client = (s: MlflowFailureServer) =>
  createMlflowClient({
    trackingUri: s.url,
    experimentName: 'x',
    token: null,
    username: null,
    password: null,
  });
const search = { experimentIds: ['1'], filter: "tags.`autofix.replay.schema` != ''", orderBy: [] };
const sent = (s: MlflowFailureServer) => s.requests.map((r) => JSON.parse(r.body) as SearchBody);

describe('MlflowClient runs/search paging', () => {
  it('reads past one page: 2,500 of 2,600 runs in three requests of at most 1,000, in order, tokens threaded', async () => {
    server = await mlflowWith(2600, { refuseAbove: SEARCH_PAGE_SIZE });
    const runs = await client(server).searchRuns({ ...search, maxResults: 2500 });
    expect(runs).toHaveLength(2500);
    expect(runs.map((r) => r.data.tags[0]!.value)).toEqual(Array.from({ length: 2500 }, (_, i) => String(i)));
    const bodies = sent(server);
    expect(bodies.map((b) => b.max_results)).toEqual([1000, 1000, 500]);
    expect(bodies[0]!.page_token).toBeUndefined();
    expect(bodies.slice(1).every((b) => typeof b.page_token === 'string')).toBe(true);
    // The filter goes with every page.
    expect(new Set(bodies.map((b) => b.filter))).toEqual(new Set([search.filter]));
  });

  it('stops at the last page (no next_page_token) when fewer runs exist than asked for', async () => {
    server = await mlflowWith(5);
    const runs = await client(server).searchRuns({ ...search, maxResults: 100, pageSize: 2 });
    expect(runs.map((r) => r.data.tags[0]!.value)).toEqual(['0', '1', '2', '3', '4']);
    expect(sent(server).map((b) => b.max_results)).toEqual([2, 2, 2]);
  });

  it('a page size above 1,000 is sent as 1,000 (what every MLflow server serves)', async () => {
    server = await mlflowWith(1500, { refuseAbove: SEARCH_PAGE_SIZE });
    const runs = await client(server).searchRuns({ ...search, maxResults: 1200, pageSize: 50_000 });
    expect(runs).toHaveLength(1200);
    expect(sent(server).map((b) => b.max_results)).toEqual([1000, 200]);
  });

  it('a reader that stops early asks for no further page', async () => {
    server = await mlflowWith(10);
    const seen: string[] = [];
    for await (const page of client(server).searchRunPages({
      ...search,
      maxResults: Number.MAX_SAFE_INTEGER,
      pageSize: 3,
    })) {
      seen.push(...page.map((r) => r.data.tags[0]!.value));
      if (seen.length >= 4) break;
    }
    expect(seen).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(server.requests).toHaveLength(2);
  });

  it('an empty page that still carries a token ends the search instead of looping', async () => {
    server = await startMlflowFailureServer(() => ({
      status: 200,
      body: { runs: [], next_page_token: 'eyJvZmZzZXQiOiAwfQ==' },
    }));
    expect(await client(server).searchRuns({ ...search, maxResults: 10 })).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it("the server's refusal of a later page is the caller's error, with MLflow's code", async () => {
    server = await startMlflowFailureServer((_req, n) => {
      if (n === 1) return { status: 200, body: { runs: [run(0)], next_page_token: 'eyJvZmZzZXQiOiAxfQ==' } };
      return mlflowError(400, 'INVALID_PARAMETER_VALUE', 'Invalid page token');
    });
    await expect(client(server).searchRuns({ ...search, maxResults: 10, pageSize: 1 })).rejects.toMatchObject(
      {
        errorCode: 'INVALID_PARAMETER_VALUE',
      },
    );
  });
});
