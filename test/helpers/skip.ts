/**
 * Tests that can run only on some machines (a GPU, no GPU) are registered through `testIf`:
 * where the condition fails they are uvu skips, named with the reason, so the runner counts
 * them as skipped instead of passed.
 */
import { test } from 'uvu';

type Register = (name: string, body: () => unknown) => void;

export function testIf(condition: boolean, reason: string, suite: Register = test as Register): Register {
  if (condition) return suite;
  return (name) => {
    console.log(`# skip "${name}": ${reason}`);
    (suite as unknown as { skip: Register }).skip(name, () => undefined);
  };
}
