/** Unit tests: the action's input parsing, and the test harness's file-command parser. */
import { describe, expect, test } from "vitest";
import { ItsYouOnlineError } from "../../mod.ts";
import { readInputs } from "../../src/inputs.ts";
import { checkProxyEnvironment } from "../../src/fetch.ts";
import { ACTION, parseFileCommands, runnerEnvironment } from "../support/action.ts";

/** The runner's defaults from action.yml, overridden by `values`: what core.getInput would return. */
function getInputFrom(values: Record<string, string>): (name: string) => string {
  return (name) => (values[name] ?? ACTION.inputs[name]?.default ?? "").trim();
}

const base = { "client-id": "acme", "client-secret": "s3cret" };

describe("readInputs()", () => {
  test("applies action.yml's defaults", () => {
    expect(readInputs(getInputFrom(base))).toEqual({
      clientId: "acme",
      clientSecret: "s3cret",
      grantType: "client_credentials",
      code: undefined,
      redirectUri: undefined,
      state: undefined,
      jwt: true,
      scope: undefined,
      audience: undefined,
      validity: undefined,
      refreshable: false,
      baseUrl: "https://itsyou.online",
      timeout: 10_000,
      retries: 3,
      exportEnv: false,
    });
  });

  test("reads every input", () => {
    const inputs = readInputs(getInputFrom({
      ...base,
      "grant-type": "authorization_code",
      code: "c0de",
      "redirect-uri": "https://app.example.com/cb",
      state: "st",
      jwt: "FALSE",
      scope: "a,b",
      audience: "x",
      validity: "60",
      refreshable: "True",
      "base-url": "https://id.example.com/iyo",
      timeout: "2.5",
      retries: "0",
      "export-env": "true",
    }));
    expect(inputs).toEqual({
      clientId: "acme",
      clientSecret: "s3cret",
      grantType: "authorization_code",
      code: "c0de",
      redirectUri: "https://app.example.com/cb",
      state: "st",
      jwt: false,
      scope: "a,b",
      audience: "x",
      validity: 60,
      refreshable: true,
      baseUrl: "https://id.example.com/iyo",
      timeout: 2500,
      retries: 0,
      exportEnv: true,
    });
  });

  test.each([
    [{ "client-secret": "" }, /client-secret is empty/],
    [{ retries: "11" }, /retries must be/],
    [{ timeout: "601" }, /timeout must be/],
    [{ timeout: "0.05" }, /timeout must be a number of seconds from 0.1 to 600/],
    [{ timeout: "1e3" }, /timeout must be/],
    [{ validity: "-1" }, /validity must be/],
    [{ refreshable: "on" }, /refreshable must be true or false/],
    [{ "base-url": "https://itsyou.online/?q" }, /base-url is not usable/],
    [{ "grant-type": "authorization_code", code: "c" }, /code and redirect-uri are required/],
    [{ "redirect-uri": "https://a\u0007b" }, /redirect-uri contains a line break or another control character/],
  ])("%o is an INVALID_ARGUMENT naming the input", (change, message) => {
    let error: unknown;
    try {
      readInputs(getInputFrom({ ...base, ...change }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ItsYouOnlineError);
    expect((error as ItsYouOnlineError).code).toBe("INVALID_ARGUMENT");
    expect((error as ItsYouOnlineError).message).toMatch(message);
  });

  test("never echoes a secret input in its message", () => {
    const secret = "very-secret-value\u0001";
    expect(() => readInputs(getInputFrom({ ...base, "client-secret": secret }))).toThrow(/client-secret contains/);
    try {
      readInputs(getInputFrom({ ...base, "client-secret": secret }));
    } catch (error) {
      expect((error as Error).message).not.toContain("very-secret-value");
    }
  });
});

describe("the test harness", () => {
  test("parseFileCommands() reads the runner's heredoc and plain formats", () => {
    expect(parseFileCommands("a<<ghadelimiter_1\nline1\nline2\nghadelimiter_1\nb=c=d\nempty<<X\n\nX\n")).toEqual({
      a: "line1\nline2",
      b: "c=d",
      empty: "",
    });
    expect(() => parseFileCommands("a<<X\nno end\n")).toThrow(/unterminated/);
  });

  test("runnerEnvironment() sets every declared input, with defaults, as INPUT_<NAME> with hyphens kept", () => {
    const env = runnerEnvironment({ "client-id": "acme" }, "/tmp/x");
    expect(env["INPUT_CLIENT-ID"]).toBe("acme");
    expect(env["INPUT_GRANT-TYPE"]).toBe("client_credentials");
    expect(env["INPUT_CLIENT-SECRET"]).toBe("");
    expect(Object.keys(env).filter((name) => name.startsWith("INPUT_"))).toHaveLength(
      Object.keys(ACTION.inputs).length,
    );
    expect(() => runnerEnvironment({ "no-such-input": "x" }, "/tmp/x")).toThrow(/declares no input/);
  });
});

describe("checkProxyEnvironment()", () => {
  test.each([
    ["proxy.example:8080", "http://proxy.example:8080"],
    ["127.0.0.1:3128", "http://127.0.0.1:3128"],
    ["user:pa55@proxy.example:8080", "http://user:pa55@proxy.example:8080"],
    ["http://proxy.example:8080", "http://proxy.example:8080"],
    ["https://proxy.example", "https://proxy.example"],
    ["http://proxy.example:8080/", "http://proxy.example:8080/"],
  ])("%s is used as %s", (value, expected) => {
    const env: Record<string, string | undefined> = { HTTPS_PROXY: value };
    checkProxyEnvironment(env);
    expect(env.HTTPS_PROXY).toBe(expected);
  });

  test.each([
    "socks5://proxy.example:1080",
    "socks5h://p:1",
    "ftp://proxy.example",
    "not a url",
    "http://:3128",
    "http://p:8080/path",
    "http://p:8080?x",
    "http://[::1",
  ])(
    "%s is refused with INVALID_ARGUMENT naming the variable, not the value",
    (value) => {
      for (const name of ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"]) {
        let error: unknown;
        try {
          checkProxyEnvironment({ [name]: value });
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(ItsYouOnlineError);
        expect((error as ItsYouOnlineError).code).toBe("INVALID_ARGUMENT");
        expect((error as Error).message).toContain(`The environment variable ${name} `);
        expect((error as Error).message).not.toContain(value);
      }
    },
  );

  test("empty and blank proxy variables are removed (as @actions/http-client reads an empty one: unset); NO_PROXY is left alone", () => {
    const env: Record<string, string | undefined> = {
      HTTPS_PROXY: "",
      https_proxy: " \t ",
      HTTP_PROXY: "http://proxy.example:3128",
      NO_PROXY: "not a url either",
    };
    checkProxyEnvironment(env);
    expect(env).toEqual({ HTTP_PROXY: "http://proxy.example:3128", NO_PROXY: "not a url either" });
  });
});
