// asAutofixError: what the CLI commands print and exit with for anything thrown.
import { describe, expect, it } from 'vitest';
import { AutofixError, ErrorCode, asAutofixError } from '../../../src/domain/index.js';

describe('asAutofixError', () => {
  it('keeps a coded error as it is and makes anything else INTERNAL (exit 3) with its message', () => {
    const coded = new AutofixError(ErrorCode.BadInput, 'bad');
    expect(asAutofixError(coded)).toBe(coded);
    const boom = new TypeError('x is undefined');
    const wrapped = asAutofixError(boom);
    expect(wrapped).toMatchObject({
      code: 'INTERNAL',
      message: 'Unexpected error: x is undefined',
      exitCode: 3,
    });
    expect(wrapped.cause).toBe(boom);
    expect(asAutofixError('plain').message).toBe('Unexpected error: plain');
  });
});
