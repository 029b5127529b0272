/** The fault matrix (test/support/faults.ts) against the core, for every endpoint. */
import { describe, expect, test } from "vitest";
import { ItsYouOnlineError } from "../../mod.ts";
import { closedPortUrl } from "../support/fixture.ts";
import { assertNoLeaks } from "../support/leaks.ts";
import { ALWAYS, BACKOFF_MS, budget, CASES, JWT, prepare, REFRESH, SLACK_MS, TOKEN } from "../support/faults.ts";
import { useServerFixture } from "../support/expect.ts";

const f = useServerFixture();

describe.each([TOKEN, JWT, REFRESH])("the core, %s", (path) => {
  const cases = CASES.filter((c) => !c.only || c.only.includes(path));

  test.each(cases)("$name → $expect after $requests request(s)", async (c) => {
    const { call, secrets } = await prepare(f, path);
    f.server.reset();
    f.server.inject({ path, times: c.times ?? ALWAYS, fault: c.fault });
    const started = performance.now();
    const outcome = await call().then(() => "ok" as const, (error: unknown) => error);
    const elapsed = performance.now() - started;
    if (c.expect === "ok") {
      expect(outcome).toBe("ok");
    } else {
      expect(outcome).toBeInstanceOf(ItsYouOnlineError);
      expect((outcome as ItsYouOnlineError).code, (outcome as Error).message).toBe(c.expect);
      expect((outcome as ItsYouOnlineError).endpoint).toBe(path);
      assertNoLeaks(secrets, { error: outcome });
    }
    expect(f.server.count(path)).toBe(c.requests);
    expect(elapsed).toBeLessThan(budget(c));
  });

  test("connection refused → NETWORK_ERROR after 4 attempts, nothing leaked", async () => {
    const { call, secrets } = await prepare(f, path, await closedPortUrl());
    const started = performance.now();
    const error = await call().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ItsYouOnlineError);
    expect((error as ItsYouOnlineError).code).toBe("NETWORK_ERROR");
    expect((error as ItsYouOnlineError).message).toMatch(/gave up after 4 attempts/);
    assertNoLeaks(secrets, { error });
    expect(performance.now() - started).toBeLessThan(BACKOFF_MS + SLACK_MS);
  });
});
