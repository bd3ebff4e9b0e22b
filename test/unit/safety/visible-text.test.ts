// Visible text: values that are not what they look like are refused with the code points named, by Unicode property.
import { describe, expect, it } from 'vitest';
import type { PatchOp } from '../../../src/domain/index.js';
import { deceptiveText, revealHidden, visibleText } from '../../../src/safety/visible-text.js';
import { liveDeployment, patched, policyConfig, policyTarget } from '../../fixtures/policy-fixtures.js';

const C0 = '/spec/template/spec/containers/0';

function judge(ops: PatchOp[]): string[] {
  const live = liveDeployment();
  return visibleText({
    target: policyTarget,
    live,
    proposed: patched(ops, live),
    ops,
    policy: policyConfig(),
  });
}

describe('deceptiveText', () => {
  it.each<[string, string, RegExp]>([
    ['a variation selector', 'info\u{FE0F}', /U\+FE0F/],
    ['a tag character', 'run\u{E0041}', /U\+E0041/],
    ['an unassigned code point', 'x\u0378', /U\+0378/],
    ['a Hangul filler (default-ignorable, a letter by category)', 'a\u3164b', /U\+3164/],
    ['a bidi isolate', '\u2066abc\u2069', /U\+2066, U\+2069/],
    ['a no-break space', '--port=80\u00A00', /U\+00A0/],
    ['an ideographic space', 'a\u3000b', /U\+3000/],
    ['a soft hyphen', 'ser\u00ADver', /U\+00AD/],
    ['a noncharacter', 'x\uFDD0', /U\+FDD0/],
    ['a combining mark over ASCII', '/app/se\u0336rver', /U\+0336, a combining mark drawn over "e"/],
    ['fullwidth letters', '/app/ｓerver', /U\+FF53 \(looks like "s"\)/],
    ['a ligature', '/app/conﬁg', /U\+FB01 \(looks like "fi"\)/],
    ['Cyrillic among Latin', '/app/sеrver', /Cyrillic letters U\+0435 among Latin ones/],
    ['Greek among Latin', 'gh\u03BFst.io/x', /Greek letters U\+03BF/],
  ])('refuses %s', (_name, text, named) => {
    expect(deceptiveText(text)).toMatch(named);
  });

  it.each([
    ['plain ASCII', '--port=8080 -v'],
    ['a tab and a newline', 'a\tb\nc'],
    ['accented Latin, precomposed', 'café crème'],
    ['a whole word in another script', 'Привет'],
    ['CJK', '日本語のログ'],
  ])('passes %s', (_name, text) => {
    expect(deceptiveText(text)).toBeNull();
  });
});

describe('visibleText', () => {
  it('names the place and the code points', () => {
    expect(judge([{ op: 'replace', path: `${C0}/env/0/value`, value: 'in\u200Bfo' }])).toEqual([
      'spec.template.spec.containers[0].env[0].value would hold the character U+200B, which shows as nothing, as a space or reorders text: an approver could not read what is sent',
    ]);
  });

  it('refuses a field name that is not ASCII, in the value or the op path', () => {
    expect(judge([{ op: 'add', path: `${C0}/env/-`, value: { name: 'X', vаlue: 'y' } }])[0]).toMatch(
      /U\+0430 in a field name, which holds ASCII only/,
    );
    expect(judge([{ op: 'add', path: `${C0}/rеsources`, value: {} }])[0]).toMatch(/the operation path/);
  });

  it('reveals hidden characters on one line for the terminal', () => {
    expect(revealHidden('a\u202Eb\nc d')).toBe('a<U+202E>b<U+000A>c d');
  });
});
