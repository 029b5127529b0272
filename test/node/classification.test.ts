/** Failure classification on Node's own fetch (the cases are shared with the Deno and Bun suites). */
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { FAILURE_CASES, runFailureCase, startFailureSetting } from "../support/classification.ts";
import type { FailureSetting } from "../support/classification.ts";
import { rejects } from "../support/expect.ts";

let s: FailureSetting;
beforeAll(async () => void (s = await startFailureSetting()));
afterAll(() => s.close());
beforeEach(() => s.f.server.reset());

test.each(FAILURE_CASES.map((c) => [c.name, c] as const))("%s", async (_, c) => {
  const { error, attempts } = await runFailureCase(s, c);
  const itsYouError = await rejects(Promise.reject(error), c.code, { clientSecret: s.f.org.clientSecret });
  if (c.message) expect(itsYouError.message).toMatch(c.message);
  expect(attempts).toBe(c.attempts);
});
