/**
 * GitHub's own local runner for actions, `@github/local-action`, runs the action's src/main.ts with its
 * `@actions/core` stub and a .env file holding only the inputs a user sets (action.yml's defaults apply):
 * as CONTRIBUTING's "Try it locally" says, against the local server.
 */
import { expect, test } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { useServerFixture } from "../support/expect.ts";
import { findLeaks } from "../support/leaks.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const f = useServerFixture();

test("npx local-action run . src/main.ts .env, with four inputs: outputs shown, secrets masked, nothing secret printed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "itsyou-local-action-"));
  try {
    const dotenv = join(dir, ".env");
    writeFileSync(
      dotenv,
      [
        `INPUT_CLIENT-ID=${f.org.clientId}`,
        `INPUT_CLIENT-SECRET=${f.org.clientSecret}`,
        `INPUT_BASE-URL=${f.at.baseUrl}`,
        "INPUT_AUDIENCE=deploy",
        "",
      ].join("\n"),
    );
    // Asynchronously: the local server answers from this process.
    const output = await new Promise<string>((resolve) => {
      execFile(join(root, "node_modules/.bin/local-action"), ["run", ".", "src/main.ts", dotenv], {
        cwd: root,
        env: { PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}`, HOME: dir, NO_COLOR: "1" },
        timeout: 60_000,
      }, (_, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
    });
    // local-action sets no exit code for a failed step: what it printed says how the step went.
    expect(output).not.toContain("::error::");
    expect(output).toContain(`Got an access token and a JWT for ${f.org.clientId} from ${new URL(f.at.baseUrl).host}.`);
    // Its output table shows each output that holds no secret; the two that do are withheld, as masked secrets.
    expect(output).toMatch(/'token-type'\s*│\s*'bearer'/);
    expect(output).toMatch(/'globalid'\s*│\s*'acme'/);
    expect(output).toContain("Skip output access-token since it may contain secret.");
    expect(output).toContain("Skip output jwt since it may contain secret.");
    expect(f.server.requests.map((request) => request.path).sort()).toEqual([
      "/v1/oauth/access_token",
      "/v1/oauth/access_token",
    ]);
    // Nothing secret printed: the client secret, and no token or JWT the server issued.
    expect(findLeaks({ secret: f.org.clientSecret }, { output })).toEqual([]);
    expect(output).not.toMatch(/eyJ[\w-]+\.eyJ/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
