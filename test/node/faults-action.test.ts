/**
 * The fault matrix (test/support/faults.ts) through dist/index.js, as the runner runs it. With client
 * credentials the action sends two requests to /v1/oauth/access_token at once: the access token, and the
 * JWT straight from the credentials (response_type=id_token). Each gets every fault in turn.
 */
import { describe, expect, test } from "vitest";
import { maskingProblems, runAction } from "../support/action.ts";
import { findLeaks } from "../support/leaks.ts";
import { ALWAYS, budget, CASES, JWT, TIMEOUT_MS, TOKEN } from "../support/faults.ts";
import { useServerFixture } from "../support/expect.ts";

const f = useServerFixture();

const REQUESTS = [
  { name: "the access token request", body: /^(?!.*response_type=id_token)/, casesFor: TOKEN },
  { name: "the JWT request (response_type=id_token)", body: /response_type=id_token/, casesFor: JWT },
];

describe.each(REQUESTS)("the action (dist/index.js), $name", ({ body, casesFor }) => {
  const cases = CASES.filter((c) => !c.only || c.only.includes(casesFor));
  const inputs = (): Record<string, string> => ({
    "client-id": f.org.clientId,
    "client-secret": f.org.clientSecret,
    "base-url": f.at.baseUrl,
    timeout: String(TIMEOUT_MS / 1000),
  });

  test.each(cases)("$name → $expect after $requests request(s)", async (c) => {
    f.server.inject({ path: TOKEN, body, times: c.times ?? ALWAYS, fault: c.fault });
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
    expect(f.server.requests.filter((request) => request.path === TOKEN && body.test(request.body))).toHaveLength(
      c.requests,
    );
    const secrets = { clientSecret: f.org.clientSecret, jwt: run.outputs.jwt ?? "" };
    expect(maskingProblems(run, secrets, ["clientSecret"])).toEqual([]);
    expect(
      findLeaks({ clientSecret: f.org.clientSecret }, {
        outputs: run.outputsFile,
        summary: run.summary,
        stderr: run.stderr,
      }),
    ).toEqual([]);
    // The process start adds to the core's budget; the two requests run side by side.
    expect(elapsed).toBeLessThan(budget(c) + 1000);
  });
});
