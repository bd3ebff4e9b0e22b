// Resource quantities for the simulated runtime: the product's own parser (one reading of "64Mi"), strict.
import { parseQuantity as parseDomainQuantity } from '../../src/domain/quantity.js';

/** Returns the quantity in base units (bytes for memory); throws on a malformed quantity. */
export function parseQuantity(value: string | number): number {
  const n = parseDomainQuantity(value);
  if (n === null) throw new Error(`invalid quantity ${JSON.stringify(value)}`);
  return n;
}
