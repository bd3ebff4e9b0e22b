// One socket write per event-loop turn instead of one per command: ioredis writes each command at once, and on
// the bot's path a command is a claim, a thread pointer and a job (a quarter of its CPU went to those syscalls).
// Corked until the turn's end, the turn's commands leave together in one writev, in the order they were sent.
// ioredis's own auto-pipelining does the same through a Pipeline per batch, which measured costlier per command.
import { Cluster, type Redis } from 'ioredis';

type Stream = Redis['stream'];

const coalesced = new WeakSet<Stream>();

function corkPerTurn(stream: Stream): void {
  if (coalesced.has(stream)) return;
  coalesced.add(stream);
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    stream.uncork();
  };
  // setImmediate runs after this turn's callbacks and promise continuations: BullMQ's add awaits a few of them.
  stream.write = ((...args: unknown[]) => {
    if (!corked && !stream.destroyed) {
      corked = true;
      stream.cork();
      setImmediate(uncork);
    }
    return write(...args);
  }) as Stream['write'];
}

function onEveryStream(redis: Redis): void {
  const patch = (): void => {
    if (redis.stream) corkPerTurn(redis.stream);
  };
  // Each reconnect makes a new socket.
  redis.on('connect', patch);
  patch();
}

/** Makes a connection (each node of a Redis Cluster) send each turn's commands in one write. */
export function coalesceWrites(redis: Redis | Cluster): void {
  if (redis instanceof Cluster) {
    for (const node of redis.nodes()) onEveryStream(node);
    redis.on('+node', (node: Redis) => onEveryStream(node));
    return;
  }
  onEveryStream(redis);
}
