// RFC 6902 add/remove/replace with RFC 6901 pointers, on a copy, with BAD_INPUT errors naming the op.
import { describe, expect, it } from 'vitest';
import { applyPatch } from '../../../../src/agent/change/apply-patch.js';
import { AutofixError, ErrorCode, type KubeObject, type PatchOp } from '../../../../src/domain/index.js';
import { liveDeployment } from '../../../fixtures/policy-fixtures.js';

const doc = (): KubeObject => ({ a: { 'b/c': 1, 'd~e': 2, list: [1, 2, 3] }, n: null });

function failure(ops: PatchOp[], obj: KubeObject = doc()): AutofixError {
  try {
    applyPatch(obj, ops);
  } catch (e) {
    if (e instanceof AutofixError) return e;
    throw e;
  }
  throw new Error('expected applyPatch to throw');
}

describe('applyPatch', () => {
  it.each<[string, PatchOp[], unknown]>([
    ['replace a member', [{ op: 'replace', path: '/a/list/1', value: 20 }], [1, 20, 3]],
    ['append with -', [{ op: 'add', path: '/a/list/-', value: 4 }], [1, 2, 3, 4]],
    ['insert at an index', [{ op: 'add', path: '/a/list/0', value: 0 }], [0, 1, 2, 3]],
    ['insert at the end index', [{ op: 'add', path: '/a/list/3', value: 4 }], [1, 2, 3, 4]],
    ['remove an element', [{ op: 'remove', path: '/a/list/0' }], [2, 3]],
  ])('%s', (_name, ops, list) => {
    expect((applyPatch(doc(), ops).a as { list: unknown }).list).toEqual(list);
  });

  it('unescapes ~1 and ~0', () => {
    const out = applyPatch(doc(), [
      { op: 'replace', path: '/a/b~1c', value: 10 },
      { op: 'replace', path: '/a/d~0e', value: 20 },
    ]);
    expect(out.a).toMatchObject({ 'b/c': 10, 'd~e': 20 });
  });

  it('decodes ~01 as "~1", not "/"', () => {
    expect(applyPatch(doc(), [{ op: 'add', path: '/a/x~01', value: 1 }]).a).toHaveProperty(['x~1'], 1);
  });

  it('adds a new member and replaces an existing one with add', () => {
    const out = applyPatch(doc(), [
      { op: 'add', path: '/a/new', value: { x: 1 } },
      { op: 'add', path: '/n', value: 5 },
    ]);
    expect(out).toMatchObject({ a: { new: { x: 1 } }, n: 5 });
  });

  it('removes a member and replaces with null', () => {
    const out = applyPatch(doc(), [
      { op: 'remove', path: '/a/d~0e' },
      { op: 'replace', path: '/a/b~1c', value: null },
    ]);
    expect(out.a).toEqual({ 'b/c': null, list: [1, 2, 3] });
  });

  it('never modifies its input, nor shares the values it inserts', () => {
    const live = liveDeployment();
    const value = { name: 'X', value: '1' };
    const out = applyPatch(live, [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value }]);
    value.value = 'changed';
    expect(live).toEqual(liveDeployment());
    expect(JSON.stringify(out)).not.toContain('changed');
  });

  it('applies operations in order, later ones seeing earlier ones', () => {
    const out = applyPatch(doc(), [
      { op: 'add', path: '/a/list/-', value: 4 },
      { op: 'remove', path: '/a/list/3' },
    ]);
    expect((out.a as { list: unknown }).list).toEqual([1, 2, 3]);
  });

  it.each<[string, PatchOp[], RegExp]>([
    [
      'a missing parent',
      [{ op: 'add', path: '/x/y', value: 1 }],
      /^patch operation 0 \(add \/x\/y\) cannot be applied: \/ has no member "x"/,
    ],
    [
      'replace of a missing member',
      [{ op: 'replace', path: '/a/zz', value: 1 }],
      /operation 0 \(replace \/a\/zz\).*no member "zz" to replace/,
    ],
    ['remove of a missing member', [{ op: 'remove', path: '/a/zz' }], /no member "zz" to remove/],
    [
      'an index past the end',
      [{ op: 'replace', path: '/a/list/3', value: 1 }],
      /index 3 is out of bounds \(length 3\)/,
    ],
    ['add beyond the end', [{ op: 'add', path: '/a/list/5', value: 1 }], /index 5 is out of bounds/],
    ['a leading zero', [{ op: 'replace', path: '/a/list/01', value: 1 }], /"01" is not an array index/],
    ['- outside add', [{ op: 'remove', path: '/a/list/-' }], /"-" is not an array index/],
    ['a bad escape', [{ op: 'add', path: '/a/x~2', value: 1 }], /invalid ~ escape/],
    ['a scalar parent', [{ op: 'add', path: '/a/b~1c/x', value: 1 }], /\/a\/b\/c is not an object or array/],
    ['a missing value', [{ op: 'add', path: '/a/x' }], /add needs a value/],
    [
      'prototype pollution',
      [{ op: 'add', path: '/__proto__/polluted', value: 1 }],
      /"__proto__" is not an allowed key/,
    ],
    [
      'a path without a leading slash',
      [{ op: 'add', path: 'a', value: 1 } as PatchOp],
      /must start with "\/"/,
    ],
    [
      'an unsupported op',
      [{ op: 'move', path: '/a', value: 1 } as unknown as PatchOp],
      /unsupported op "move"/,
    ],
  ])('refuses %s', (_name, ops, message) => {
    const e = failure(ops);
    expect(e.code).toBe(ErrorCode.BadInput);
    expect(e.message).toMatch(message);
  });

  it('names the index of the failing operation', () => {
    const e = failure([
      { op: 'add', path: '/a/ok', value: 1 },
      { op: 'remove', path: '/spec/nope' },
    ]);
    expect(e.message).toMatch(/^patch operation 1 \(remove \/spec\/nope\)/);
    expect(e.exitCode).toBe(2);
  });

  it('does not pollute Object.prototype', () => {
    failure([{ op: 'add', path: '/a/constructor/prototype/polluted', value: true }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
