// cpu-level-independent: the levels stage does not run this file again.
// Patterns that make a test unable to fail, kept out of the suites: uvu's assert.throws with an
// error class (uvu calls it as a predicate, and an error constructor called without `new`
// returns a truthy error, so any throw passes) and NaN-blind worst-case loops in the C++ tests
// (std::max(worst, NaN) keeps worst, so an all-NaN output reports no error).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

const TEST_ROOT = join(__dirname, '..');

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : files(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

function offenders(paths: string[], pattern: RegExp): string[] {
  return paths.flatMap((path) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((line, i) => (pattern.test(line) ? [`${relative(TEST_ROOT, path)}:${i + 1}: ${line.trim()}`] : [])),
  );
}

// `assert.throws(…, SomeError)` / `assert.throws(…, SomeError, 'message')`.
const THROWS_WITH_CLASS = /assert\.throws\(.*,\s*[A-Z]\w*(Error|Exception)\s*(,\s*['"`].*)?\)\s*;?\s*$/;
const NAN_BLIND_WORST = /\b(\w*(worst|gap)\w*)\s*=\s*std::(max|min)\(\s*\1\s*,/;

test('the checks themselves recognise the patterns', () => {
  assert.ok(THROWS_WITH_CLASS.test("  assert.throws(() => f(), RangeError);"));
  assert.ok(THROWS_WITH_CLASS.test("  assert.throws(() => f(a, b), TypeError, 'why');"));
  assert.not.ok(THROWS_WITH_CLASS.test("  assert.throws(() => f(), (e: unknown) => e instanceof RangeError);"));
  assert.not.ok(THROWS_WITH_CLASS.test("  assert.throws(() => f(), /message/);"));
  assert.ok(NAN_BLIND_WORST.test('      worst = std::max(worst, std::fabs(a - b));'));
  assert.ok(NAN_BLIND_WORST.test('  worst_cosine = std::min(worst_cosine, Cosine(a, b, n));'));
  assert.not.ok(NAN_BLIND_WORST.test('  worst = sktest::MaxOrNan(worst, d);'));
});

test('no uvu assert.throws with an error class (use throwsError / rejectsError from test/helpers/errors.ts)', () => {
  const sources = files(TEST_ROOT, /\.ts$/).filter((path) => path !== __filename);
  assert.ok(sources.length > 10, 'found the TypeScript tests');
  assert.equal(offenders(sources, THROWS_WITH_CLASS), []);
});

test('no NaN-blind worst-case loops in the C++ tests (use sktest::MaxOrNan / MinOrNan)', () => {
  const sources = files(TEST_ROOT, /\.(cc|h)$/);
  assert.ok(sources.length > 10, 'found the C++ tests');
  assert.equal(offenders(sources, NAN_BLIND_WORST), []);
});

test.run();
