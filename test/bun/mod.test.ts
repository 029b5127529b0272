/**
 * mod.ts under real Bun (`bun test`), against the local server, which Bun runs too:
 * the shared core suite, and failure classification on Bun's own fetch.
 */
import { afterAll, beforeEach, expect, test } from "bun:test";
import * as mod from "../../mod.ts";
import { CORE_CASES } from "../support/core-suite.ts";
import { FAILURE_CASES, runFailureCase, startFailureSetting } from "../support/classification.ts";
import { coreSetting } from "../support/fixture.ts";
import { assertNoLeaks } from "../support/leaks.ts";
import { sequentialConnections } from "../support/connections.ts";

const failures = await startFailureSetting();
const setting = await coreSetting(failures.f);
afterAll(() => failures.close());
beforeEach(() => failures.f.server.reset());

for (const c of CORE_CASES) test(c.name, () => c.run(mod, setting));

test("sequential calls on Bun's fetch share one connection", async () => {
  expect(await sequentialConnections(mod, failures.f)).toEqual({ tokenThenJwt: 1, codeThenJwt: 1 });
});

for (const c of FAILURE_CASES) {
  test(`classification: ${c.name}`, async () => {
    const { error, attempts } = await runFailureCase(failures, c);
    expect(error).toBeInstanceOf(mod.ItsYouOnlineError);
    const itsYouError = error as mod.ItsYouOnlineError;
    expect(itsYouError.code).toBe(c.code);
    if (c.message) expect(itsYouError.message).toMatch(c.message);
    assertNoLeaks({ clientSecret: failures.f.org.clientSecret }, { error });
    expect(attempts).toBe(c.attempts);
  });
}
