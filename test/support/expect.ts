import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { ItsYouOnlineError } from "../../mod.ts";
import type { ItsYouOnlineErrorCode } from "../../mod.ts";
import { assertNoLeaks } from "./leaks.ts";
import { startFixture } from "./fixture.ts";
import type { Fixture } from "./fixture.ts";
import type { ServerOptions } from "../../server/serve.ts";

/**
 * Awaits a rejection, checks it is an ItsYouOnlineError with `code`, and that
 * none of `secrets` leaked into it. Returns the error for further checks.
 */
export async function rejects(
  promise: Promise<unknown> | (() => unknown),
  code: ItsYouOnlineErrorCode,
  secrets: Record<string, string | undefined> = {},
): Promise<ItsYouOnlineError> {
  let error: unknown;
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (caught) {
    error = caught;
  }
  expect(error, "expected a rejection").toBeInstanceOf(ItsYouOnlineError);
  const itsYouError = error as ItsYouOnlineError;
  expect(itsYouError.code, itsYouError.message).toBe(code);
  expect(itsYouError.name).toBe("ItsYouOnlineError");
  assertNoLeaks(secrets, { error });
  return itsYouError;
}

/** A fetch that fails the test if it is ever called: for "nothing is sent" checks. */
export function forbiddenFetch(): typeof fetch & { calls: number } {
  const spy = Object.assign(
    (() => {
      spy.calls++;
      return Promise.reject(new Error("no request may be sent"));
    }) as unknown as typeof fetch,
    { calls: 0 },
  );
  return spy;
}

/**
 * The local server for one vitest file: started before its tests, reset (requests
 * and faults) before each, closed after. The object is filled in by `beforeAll`.
 */
export function useServerFixture(options: ServerOptions = {}): Fixture {
  const fixture = {} as Fixture;
  beforeAll(async () => {
    Object.assign(fixture, await startFixture(options));
  });
  afterAll(() => fixture.server.close());
  beforeEach(() => fixture.server.reset());
  return fixture;
}
