// A user's OpenTelemetry collector: OTLP/HTTP JSON on POST /v1/traces, each request's spans decoded and kept.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** OTLP JSON AnyValue as the wire has it. */
type AnyValue = Record<string, unknown>;
interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  /** Attribute values decoded to plain JSON values (intValue strings to numbers). */
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  resource: Record<string, unknown>;
  scope: { name: string; version?: string };
}

export interface CollectedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface OtlpCollector {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  url: string;
  requests: CollectedRequest[];
  spans(): CollectedSpan[];
  close(): Promise<void>;
}

function plain(v: AnyValue | undefined): unknown {
  if (!v) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return ((v.arrayValue as { values?: AnyValue[] }).values ?? []).map(plain);
  if ('kvlistValue' in v) return attrs((v.kvlistValue as { values?: KeyValue[] }).values);
  return null;
}

function attrs(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, plain(kv.value)]));
}

interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      scope?: { name: string; version?: string };
      spans?: (Omit<CollectedSpan, 'attributes' | 'resource' | 'scope' | 'parentSpanId'> & {
        parentSpanId?: string;
        attributes?: KeyValue[];
      })[];
    }[];
  }[];
}

/** The spans of one OTLP/HTTP JSON ExportTraceServiceRequest. */
export function decodeOtlpJson(body: string): CollectedSpan[] {
  const req = JSON.parse(body) as ExportRequest;
  return (req.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        ...s,
        parentSpanId: s.parentSpanId || null,
        attributes: attrs(s.attributes),
        resource: attrs(rs.resource?.attributes),
        scope: ss.scope ?? { name: '' },
      })),
    ),
  );
}

/** `answer` may refuse a request (a collector that is down or rejects); by default every export is taken. */
export async function startOtlpCollector(answer: (n: number) => number = () => 200): Promise<OtlpCollector> {
  const requests: CollectedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (req.method !== 'POST' || path !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = answer(requests.length);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{}' : '{"code":13,"message":"refused by the stand-in"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () => requests.flatMap((r) => decodeOtlpJson(r.body)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
