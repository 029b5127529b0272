// deno-lint-ignore-file require-await -- async wrappers here turn a synchronous throw into the rejection the test awaits
/**
 * The local server against docs/protocol.md, byte for byte, with plain fetch:
 * it is the only stand-in for the real server, so its answers are tested too.
 */
import { describe, expect, test } from "vitest";
import { decodeJwt } from "../../mod.ts";
import { demoRegistry, startServer } from "../../server/serve.ts";
import { useServerFixture } from "../support/expect.ts";
import { authorizationCode } from "../support/fixture.ts";

const f = useServerFixture();

const TOKEN = "/v1/oauth/access_token";

async function post(
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(f.server.url + path, {
    method: "POST",
    body: new URLSearchParams(form),
    headers,
    redirect: "manual",
  });
}

function orgForm(extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: "client_credentials", client_id: f.org.clientId, client_secret: f.org.clientSecret, ...extra };
}

async function expectGoError(response: Response, status: number, text: string, cors: boolean): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("access-control-allow-origin")).toBe(cors ? "*" : null);
  expect(await response.text()).toBe(text);
}

/** The client credentials form of alice's user API key. */
function userForm(extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: "client_credentials", client_id: f.user.clientId, client_secret: f.user.clientSecret, ...extra };
}

/** The form that trades a code of alice's for client acme's token. */
function codeForm(code: string, extra: Record<string, string> = {}): Record<string, string> {
  return { client_id: f.org.clientId, client_secret: f.org.clientSecret, code, redirect_uri: f.callbackUrl, ...extra };
}

describe("§1 and §2.8: errors, methods and slashes", () => {
  test("no parameters: 400 'Bad Request\\n', plain text, nosniff, CORS", async () => {
    await expectGoError(await post(TOKEN, {}), 400, "Bad Request\n", true);
  });

  test.each([
    ["an unsupported grant_type", { grant_type: "password" }],
    ["no grant_type and no code", { grant_type: "" }],
    ["a wrong secret", { client_secret: "wrong" }],
  ])("%s: 400", async (_, change) => {
    await expectGoError(await post(TOKEN, orgForm(change)), 400, "Bad Request\n", true);
  });

  test("a wrong method is 404 '404 page not found\\n' (no 405)", async () => {
    const response = await fetch(f.server.url + TOKEN);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("404 page not found\n");
  });

  test("a trailing slash is a 301 to the route, with an empty body for POST", async () => {
    const response = await post(`${TOKEN}/`, orgForm());
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe(TOKEN);
    expect(await response.text()).toBe("");
  });

  test("a malformed % escape is a 400", async () => {
    const response = await fetch(f.server.url + TOKEN, {
      method: "POST",
      body: "grant_type=client_credentials&client_id=%zz",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    await expectGoError(response, 400, "Bad Request\n", true);
  });

  test("OPTIONS on access_token answers the CORS preflight", async () => {
    const response = await fetch(f.server.url + TOKEN, {
      method: "OPTIONS",
      headers: { "access-control-request-headers": "x-a" },
    });
    expect(response.status).toBe(200);
    expect(
      Object.fromEntries(
        ["allow", "access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers"]
          .map((name) => [name, response.headers.get(name)]),
      ),
    ).toEqual({
      allow: "POST",
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "x-a",
    });
    expect(await response.text()).toBe("");
  });
});

describe("§2.5 the token response", () => {
  test("is Go's JSON encoding, in field order, with the scope's trailing comma and a newline", async () => {
    const response = await post(TOKEN, orgForm());
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response.text()).toMatch(
      /^\{"access_token":"[\w-]{28}","token_type":"bearer","scope":"organization:owner,","expires_in":85799,"info":\{"username":""\}\}\n$/,
    );
  });

  test("accepts the parameters in the query (the Go client's way), and the body wins over the query", async () => {
    const query = new URLSearchParams(orgForm()).toString();
    const viaQuery = await fetch(`${f.server.url}${TOKEN}?${query}`, { method: "POST" });
    expect(viaQuery.status).toBe(200);
    await viaQuery.body?.cancel();
    const bodyWins = await fetch(
      `${f.server.url}${TOKEN}?${new URLSearchParams(orgForm({ client_secret: "wrong" }))}`,
      {
        method: "POST",
        body: new URLSearchParams(orgForm()),
      },
    );
    expect(bodyWins.status).toBe(200);
    await bodyWins.body?.cancel();
  });

  test.each(["Basic", "basic", "BASIC"])(
    "takes Basic auth (spelled %s: Go 1.19 matches it case-insensitively) when the form has no secret",
    async (scheme) => {
      const basic = `${scheme} ${btoa(`${f.org.clientId}:${f.org.clientSecret}`)}`;
      const response = await post(TOKEN, { grant_type: "client_credentials" }, { authorization: basic });
      expect(response.status).toBe(200);
      await response.body?.cancel();
    },
  );

  test('a user token\'s JWT whose scopes were all filtered out has scope [""] (strings.Split of an empty string)', async () => {
    const token = await (await post(TOKEN, {
      grant_type: "client_credentials",
      client_id: f.user.clientId,
      client_secret: f.user.clientSecret,
    })).json();
    const response = await post("/v1/oauth/jwt", { scope: "user:memberof:not-alices-org" }, {
      authorization: `token ${token.access_token}`,
    });
    const claims = JSON.parse(Buffer.from((await response.text()).split(".")[1], "base64url").toString());
    expect(claims.scope).toEqual([""]);
  });

  test("a user API key gets scope 'user:admin,' and its username", async () => {
    const response = await post(TOKEN, {
      grant_type: "client_credentials",
      client_id: f.user.clientId,
      client_secret: f.user.clientSecret,
    });
    expect(await response.json()).toMatchObject({ scope: "user:admin,", info: { username: "alice" } });
  });
});

describe("§2.4 codes", () => {
  test("a code is reusable within its 10 seconds, then refused", async () => {
    const code = await authorizationCode(f, "user:name");
    const form = codeForm(code);
    for (let i = 0; i < 2; i++) {
      const response = await post(TOKEN, form);
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    f.server.advanceClock(11);
    await expectGoError(await post(TOKEN, form), 400, "Bad Request\n", true);
  });

  test('an authorization without scopes gives a JWT whose scope is [""]', async () => {
    const code = await authorizationCode(f, "");
    const response = await post(TOKEN, codeForm(code, { response_type: "id_token" }));
    expect(decodeJwt(await response.text()).scope).toEqual([""]);
  });
});

describe("§2.6 and §3.3 JWTs", () => {
  test("response_type=id_token answers a raw application/jwt with no newline", async () => {
    const response = await post(TOKEN, orgForm({ response_type: "id_token" }));
    expect(response.headers.get("content-type")).toBe("application/jwt");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const jwt = await response.text();
    expect(jwt).toMatch(/^eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCJ9\.[\w-]+\.[\w-]{128}$/);
    const payload = Buffer.from(jwt.split(".")[1], "base64url").toString();
    expect(Object.keys(JSON.parse(payload))).toEqual(["azp", "exp", "globalid", "iss", "scope"]);
    expect(payload).not.toContain("iat");
  });

  test('with Accept: application/json it is {"access_token":"<jwt>"} and a newline', async () => {
    const response = await post(TOKEN, orgForm({ response_type: "id_token" }), { accept: "application/json" });
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.text()).toMatch(/^\{"access_token":"eyJ[\w.-]+"\}\n$/);
  });

  test("validity longer than the token's life is ignored; exp stays at creation + 24 h", async () => {
    const response = await post(TOKEN, orgForm({ response_type: "id_token", validity: "999999" }));
    const exp = decodeJwt(await response.text()).exp!;
    expect(Math.abs(exp - (f.server.now() / 1000 + 86_400))).toBeLessThan(2);
  });

  test("/v1/oauth/jwt takes a raw access token too, answers without CORS, and 401s without one", async () => {
    const token = (await (await post(TOKEN, orgForm())).json()).access_token;
    const raw = await fetch(`${f.server.url}/v1/oauth/jwt`, { headers: { authorization: token } });
    expect(raw.status).toBe(200);
    expect(raw.headers.get("access-control-allow-origin")).toBeNull();
    await raw.body?.cancel();
    await expectGoError(await fetch(`${f.server.url}/v1/oauth/jwt`), 401, "Unauthorized\n", false);
    await expectGoError(
      await fetch(`${f.server.url}/v1/oauth/jwt`, { headers: { authorization: `Token ${token}` } }),
      401,
      "Unauthorized\n",
      false,
    );
  });

  test("§3.4: a parent JWT without refresh_token panics: 500 with an empty body", async () => {
    const user = await post(TOKEN, userForm({ response_type: "id_token" }));
    const response = await fetch(`${f.server.url}/v1/oauth/jwt`, {
      headers: { authorization: `bearer ${await user.text()}` },
    });
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toBeNull();
    expect(await response.text()).toBe("");
  });

  test("§3.4: a user parent JWT with refresh_token gives a child with globalid null", async () => {
    const parent = await post(TOKEN, userForm({ response_type: "id_token", scope: "user:name,offline_access" }));
    const response = await fetch(`${f.server.url}/v1/oauth/jwt?scope=user:name`, {
      headers: { authorization: `Bearer ${await parent.text()}` },
    });
    expect(response.status).toBe(200);
    expect(decodeJwt(await response.text())).toMatchObject({ globalid: null, username: "alice", scope: ["user:name"] });
  });

  test("§4: refresh refuses 'BEARER ' and a JWT without refresh_token with 401", async () => {
    const jwt = await (await post(TOKEN, orgForm({ response_type: "id_token" }))).text();
    for (const authorization of [`BEARER ${jwt}`, `bearer ${jwt}`]) {
      await expectGoError(
        await fetch(`${f.server.url}/v1/oauth/jwt/refresh`, { headers: { authorization } }),
        401,
        "Unauthorized\n",
        false,
      );
    }
  });
});

describe("§5 authorize", () => {
  const authorize = (params: Record<string, string>): Promise<Response> =>
    fetch(`${f.server.url}/v1/oauth/authorize?${new URLSearchParams(params)}`, { redirect: "manual" });

  test("redirects with code then state, state= present even when empty", async () => {
    const response = await authorize({
      response_type: "code",
      client_id: "acme",
      redirect_uri: `${f.callbackUrl}?a=1`,
      state: "",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(
      /^https:\/\/app\.example\.com\/callback\?a=1&code=[\w-]{28}&state=$/,
    );
    expect(await response.text()).toMatch(/^<a href=".*">Found<\/a>\.\n\n$/); // Go's http.Redirect, then Fprintln: two newlines
  });

  test.each([
    ["no response_type", { client_id: "acme", redirect_uri: "https://app.example.com/callback" }],
    ["a redirect_uri outside the callback URL", {
      response_type: "code",
      client_id: "acme",
      redirect_uri: "https://evil.example/callback",
    }],
    ["a redirect_uri on itsyou.online", {
      response_type: "code",
      client_id: "acme",
      redirect_uri: "https://x.itsyou.online/",
    }],
    ["client_id itsyouonline", {
      response_type: "code",
      client_id: "itsyouonline",
      redirect_uri: "https://app.example.com/callback",
    }],
  ])("%s: 400", async (_, params) => {
    await expectGoError(await authorize(params as Record<string, string>), 400, "Bad Request\n", false);
  });

  test("nobody logged in: to /login before any other check, the query sorted and re-escaped as Go's url.Values.Encode does", async () => {
    const server = await startServer({ registry: { ...demoRegistry(), loggedInAs: undefined } });
    try {
      const query =
        "response_type=code&state=s&redirect_uri=https%3A%2F%2Fx.itsyou.online%2F&client_id=itsyouonline&scope=user:name";
      const response = await fetch(`${server.url}/v1/oauth/authorize?${query}`, { redirect: "manual" });
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(
        "/login?client_id=itsyouonline&endpoint=%2Fv1%2Foauth%2Fauthorize&redirect_uri=https%3A%2F%2Fx.itsyou.online%2F&response_type=code&scope=user%3Aname&state=s",
      );
      await response.body?.cancel();
    } finally {
      await server.close();
    }
  });

  test("memberof scopes for organizations the user is not in are dropped", async () => {
    const code = await authorizationCode(f, "user:memberof:acme,user:memberof:other");
    const response = await post(TOKEN, codeForm(code));
    expect((await response.json()).scope).toBe("user:memberof:acme,grant:deployer");
  });
});
