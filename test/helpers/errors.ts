/**
 * Error assertions that can fail. uvu 0.5's `assert.throws(fn, SomeErrorClass)` calls
 * `SomeErrorClass(error)` as a predicate, and an error constructor called without `new`
 * returns a (truthy) new error, so any throw passes. These check the class for real.
 */
import * as assert from 'uvu/assert';

type ErrorClass = abstract new (...args: never[]) => Error;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : `the non-error ${String(error)}`;
}

function check(error: unknown, kind: ErrorClass, message: RegExp | undefined, what: string): void {
  if (!(error instanceof kind)) assert.unreachable(`${what}: expected a ${kind.name} but got ${describe(error)}`);
  if (message !== undefined && !message.test((error as Error).message)) {
    assert.unreachable(`${what}: ${kind.name} message ${JSON.stringify((error as Error).message)} does not match ${message}`);
  }
}

/** `run()` throws an instance of `kind` (whose message matches `message`, when given). */
export function throwsError(run: () => unknown, kind: ErrorClass, message?: RegExp, what = 'call'): void {
  try {
    run();
  } catch (error) {
    check(error, kind, message, what);
    return;
  }
  assert.unreachable(`${what}: expected a ${kind.name} but nothing was thrown`);
}

/** `pending` rejects with an instance of `kind` (a synchronous throw from `pending()` counts too). */
export async function rejectsError(
  pending: Promise<unknown> | (() => Promise<unknown>),
  kind: ErrorClass,
  message?: RegExp,
  what = 'call',
): Promise<void> {
  try {
    await (typeof pending === 'function' ? pending() : pending);
  } catch (error) {
    check(error, kind, message, what);
    return;
  }
  assert.unreachable(`${what}: expected a ${kind.name} rejection but it resolved`);
}
