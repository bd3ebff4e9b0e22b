// Reads a request body up to a byte limit, without holding more than the limit in memory.
import type { IncomingMessage } from 'node:http';

export type BodyRead = { ok: true; body: string } | { ok: false; reason: 'too_large' | 'aborted' };

/** Past the limit the rest is read and dropped (so the client gets its 413), up to `drainLimit`, then cut. */
export function readBody(req: IncomingMessage, limit: number, drainLimit = limit * 8): Promise<BodyRead> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    let size = 0;
    let over = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    const done = (r: BodyRead): void => {
      req.removeAllListeners('data');
      resolve(r);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
      else if (size > drainLimit) {
        req.destroy();
        done({ ok: false, reason: 'too_large' });
      }
    });
    req.on('end', () =>
      done(
        over
          ? { ok: false, reason: 'too_large' }
          : { ok: true, body: Buffer.concat(chunks).toString('utf8') },
      ),
    );
    req.on('error', () => done({ ok: false, reason: over ? 'too_large' : 'aborted' }));
    req.on('aborted', () => done({ ok: false, reason: over ? 'too_large' : 'aborted' }));
  });
}
