// RFC 6902 JSON Patch (add, remove, replace) applied to a deep copy of a Kubernetes object.
import { AutofixError, ErrorCode, type KubeObject, type PatchOp } from '../../domain/index.js';
import { isRecord } from '../../domain/json-access.js';

type Container = Record<string, unknown> | unknown[];

const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

// Writing these keys would reach the prototype instead of creating a field.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

class PatchFailure extends Error {}

/** RFC 6901: `/a~1b/c~0d` → ["a/b", "c~d"]. */
function parsePointer(path: string): string[] {
  if (!path.startsWith('/')) throw new PatchFailure('a JSON Pointer must start with "/"');
  return path
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token))
        throw new PatchFailure(`"${token}" has an invalid ~ escape (only ~0 and ~1 exist)`);
      const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
      if (FORBIDDEN_KEYS.has(key)) throw new PatchFailure(`"${key}" is not an allowed key`);
      return key;
    });
}

/** An array index token: "0" or no leading zeros, below `max` (inclusive when appending is allowed). */
function index(token: string, length: number, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new PatchFailure(`"${token}" is not an array index`);
  const i = Number(token);
  if (i > length || (i === length && !allowEnd))
    throw new PatchFailure(`index ${i} is out of bounds (length ${length})`);
  return i;
}

function parentOf(doc: Container, tokens: string[]): Container {
  let cur: unknown = doc;
  for (const [n, token] of tokens.entries()) {
    const where = `/${tokens.slice(0, n).join('/')}`;
    let next: unknown;
    if (Array.isArray(cur)) next = cur[index(token, cur.length, false)];
    else if (isRecord(cur) && Object.hasOwn(cur, token)) next = cur[token];
    else throw new PatchFailure(`${where} has no member "${token}"`);
    if (!isContainer(next))
      throw new PatchFailure(`/${tokens.slice(0, n + 1).join('/')} is not an object or array`);
    cur = next;
  }
  return cur as Container;
}

function applyOne(doc: Container, op: PatchOp): void {
  const tokens = parsePointer(op.path);
  const last = tokens.pop()!;
  const parent = parentOf(doc, tokens);
  if (op.op !== 'remove' && op.value === undefined) throw new PatchFailure(`${op.op} needs a value`);
  const value: unknown = structuredClone(op.value);
  if (Array.isArray(parent)) {
    const i = index(last, parent.length, op.op === 'add');
    if (op.op === 'add') parent.splice(i, 0, value);
    else if (op.op === 'remove') parent.splice(i, 1);
    else parent[i] = value;
    return;
  }
  const exists = Object.hasOwn(parent, last);
  if (op.op !== 'add' && !exists) throw new PatchFailure(`no member "${last}" to ${op.op}`);
  if (op.op === 'remove') delete parent[last];
  else parent[last] = value;
}

/**
 * The object with the operations applied in order, on a deep copy (the input is never modified).
 * Throws BAD_INPUT naming the operation's index and path when one cannot be applied.
 */
export function applyPatch(live: KubeObject, ops: readonly PatchOp[]): KubeObject {
  const doc = structuredClone(live);
  ops.forEach((op, n) => {
    try {
      if (!['add', 'remove', 'replace'].includes(op.op))
        throw new PatchFailure(`unsupported op "${String(op.op)}"`);
      applyOne(doc, op);
    } catch (e) {
      if (!(e instanceof PatchFailure)) throw e;
      throw new AutofixError(
        ErrorCode.BadInput,
        `patch operation ${n} (${String(op.op)} ${op.path}) cannot be applied: ${e.message}`,
        {
          hint: 'Use JSON Pointer paths that exist in the live object (arrays by index, "-" to append).',
        },
      );
    }
  });
  return doc;
}
