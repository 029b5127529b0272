/** The fault matrix (test/support/faults.ts) through dist/index.js, as the runner runs it. */
import { describe, expect, test } from "vitest";
import { maskingProblems, runAction } from "../support/action.ts";
import { findLeaks } from "../support/leaks.ts";
import { ALWAYS, budget, CASES, JWT, TIMEOUT_MS, TOKEN } from "../support/faults.ts";
import { useServerFixture } from "../support/expect.ts";

const f = useServerFixture();

describe.each([TOKEN, JWT])("the action (dist/index.js), %s", (path) => {
  // The action reaches /v1/oauth/access_token and then /v1/oauth/jwt; it does not refresh.
  const cases = CASES.filter((c) => !c.only || c.only.includes(path));
  const inputs = (): Record<string, string> => ({
    "client-id": f.org.clientId,
    "client-secret": f.org.clientSecret,
    "base-url": f.at.baseUrl,
    timeout: String(TIMEOUT_MS / 1000),
  });

  test.each(cases)("$name → $expect after $requests request(s)", async (c) => {
    f.server.inject({ path, times: c.times ?? ALWAYS, fault: c.fault });
    const started = performance.now();
    const run = await runAction(inputs());
    const elapsed = performance.now() - started;
    const errors = run.stdout.split("\n").filter((line) => line.startsWith("::error::"));
    if (c.expect === "ok") {
      expect(errors).toEqual([]);
      expect(run.status).toBe(0);
      expect(run.outputs.jwt).toMatch(/^eyJ/);
    } else {
      expect(run.status).toBe(1);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^::error::itsyou-token-action: .*\\[${c.expect}\\]$`));
      expect(run.outputs).toEqual({});
    }
    expect(f.server.count(path)).toBe(c.requests);
    const accessToken = path === JWT ? String(f.server.requests.find((r) => r.path === JWT)?.headers.authorization).slice(6) : "";
    const secrets = { clientSecret: f.org.clientSecret, accessToken, jwt: run.outputs.jwt ?? "" };
    expect(maskingProblems(run, secrets, ["clientSecret"])).toEqual([]);
    expect(findLeaks({ clientSecret: f.org.clientSecret }, { outputs: run.outputsFile, summary: run.summary, stderr: run.stderr })).toEqual([]);
    // The process start and the token request before /v1/oauth/jwt add to the core's budget.
    expect(elapsed).toBeLessThan(budget(c) + 1000);
  });
});
