// renderTemplate: placeholders filled verbatim; any mismatch of header, body and values fails loudly.
import { describe, expect, it } from 'vitest';
import { loadPrompt } from '../../../../../../src/agent/diagnose/llm/prompts/load-prompt.js';
import { renderTemplate } from '../../../../../../src/agent/diagnose/llm/prompts/render-template.js';

describe('renderTemplate', () => {
  it('fills placeholders, drops the header and never re-scans values', () => {
    const tpl = '<!-- variables: a, b -->\nA={{a}} B={{ b }} A again={{a}}';
    expect(renderTemplate(tpl, { a: '{{b}} $&', b: '2' })).toBe('A={{b}} $& B=2 A again={{b}} $&');
  });

  it.each([
    ['<!-- variables: a, b -->\n{{a}} {{b}}', { a: '1' }, 'no value given for "b"'],
    ['<!-- variables: a -->\n{{a}} {{c}}', { a: '1' }, '{{c}} is used but not declared'],
    ['<!-- variables: a, b -->\n{{a}}', { a: '1', b: '2' }, '"b" is declared but never used'],
    ['<!-- variables: a -->\n{{a}}', { a: '1', z: '2' }, 'value "z" is not a variable'],
    ['{{a}}', { a: '1' }, 'missing the "<!-- variables: … -->" header'],
  ])('rejects %j', (tpl, values, message) => {
    expect(() => renderTemplate(tpl, values, 'test.md')).toThrow(message);
  });

  it('loads the shipped prompts with their declared variables', () => {
    expect(loadPrompt('diagnose-system')).toMatch(/^<!-- variables: categories, policyRules -->/);
    expect(loadPrompt('diagnose-user')).toMatch(
      /^<!-- variables: target, evidence, findings, previousAttempts, history -->/,
    );
  });
});
