// deno-lint-ignore-file require-await -- async wrappers here turn a synchronous throw into the rejection the test awaits
/** decodeJwt() and verifyJwt(): real server JWTs, jose as an oracle, and the attack list. */
import { describe, expect, test } from "vitest";
import { createHmac, createSign, generateKeyPairSync, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import * as jose from "jose";
import fc from "fast-check";
import {
  decodeJwt,
  getAccessToken,
  getJwt,
  isDerivedJwt,
  ITSYOU_ONLINE_PUBLIC_KEY,
  ITSYOU_ONLINE_STAGING_PUBLIC_KEY,
  ItsYouOnlineError,
  parseCallback,
  refreshJwt,
  verifyJwt,
  verifyRequest,
} from "../../mod.ts";
import { rejects, useServerFixture } from "../support/expect.ts";

const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
const otherP384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = p384.publicKey.export({ type: "spki", format: "pem" }).toString();

const b64 = (text: string | Buffer): string => Buffer.from(text).toString("base64url");
const now = (): number => Math.floor(Date.now() / 1000);
const goodClaims = (): Record<string, unknown> => ({
  azp: "acme",
  exp: now() + 3600,
  iss: "itsyouonline",
  scope: ["a"],
});

/** A compact JWT signed with ES384 (raw R||S), or with `signer` for other algorithms. */
function es384(
  claims: unknown,
  key: KeyObject = p384.privateKey,
  header: unknown = { alg: "ES384", typ: "JWT" },
): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${b64(sign("sha384", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }))}`;
}

const f = useServerFixture();

describe("the public keys", () => {
  test.each([ITSYOU_ONLINE_PUBLIC_KEY, ITSYOU_ONLINE_STAGING_PUBLIC_KEY])("%# is a P-384 SPKI key", async (pem) => {
    const key = await jose.importSPKI(pem, "ES384");
    expect((key as CryptoKey).algorithm).toMatchObject({ name: "ECDSA", namedCurve: "P-384" });
  });
});

describe("verifyJwt() on the local server's JWTs", () => {
  test("resolves to the claims, as jose does", async () => {
    const jwt = await getJwt(f.org, { ...f.at, audience: "deploy" });
    const claims = await verifyJwt(jwt, { publicKey: f.server.publicKey, audience: "deploy" });
    const { payload } = await jose.jwtVerify(jwt, await jose.importSPKI(f.server.publicKey, "ES384"));
    expect(claims).toEqual(payload);
    expect(decodeJwt(jwt)).toEqual(payload);
  });

  test("accepts the key as a CryptoKey", async () => {
    const jwt = await getJwt(f.org, f.at);
    const key = await jose.importSPKI(f.server.publicKey, "ES384");
    expect((await verifyJwt(jwt, { publicKey: key as CryptoKey })).globalid).toBe("acme");
  });

  test("refuses it with the production key, the default: JWT_SIGNATURE_INVALID", async () => {
    const jwt = await getJwt(f.org, f.at);
    const error = await rejects(verifyJwt(jwt), "JWT_SIGNATURE_INVALID", { jwt });
    expect(error.message).toMatch(/check publicKey/);
  });

  test("a JWT from the user API key carries username, not globalid", async () => {
    const token = await getAccessToken({ ...f.user, ...f.at });
    const claims = await verifyJwt(await getJwt(token, f.at), { publicKey: f.server.publicKey });
    expect(claims).toMatchObject({ username: "alice", azp: f.user.clientId, scope: ["user:admin"] });
    expect(claims.globalid).toBeUndefined();
  });
});

describe("verifyJwt() claim checks", () => {
  test("exp: within the 30-second default tolerance passes; clockTolerance 0 makes it JWT_EXPIRED", async () => {
    const jwt = es384({ ...goodClaims(), exp: now() - 10 });
    expect((await verifyJwt(jwt, { publicKey: PEM })).azp).toBe("acme");
    const error = await rejects(verifyJwt(jwt, { publicKey: PEM, clockTolerance: 0 }), "JWT_EXPIRED", { jwt });
    expect(error.message).toMatch(/expired at/);
  });

  test("aud: without an audience option, a JWT that names any audience is refused (RFC 7519 §4.1.3); anyAudience takes it", async () => {
    for (const aud of ["billing-api", ["orders-api", "billing-api"], []]) {
      const jwt = es384({ ...goodClaims(), aud });
      const error = await rejects(verifyJwt(jwt, { publicKey: PEM }), "JWT_CLAIM_INVALID", { jwt });
      expect([error.claim, error.message]).toEqual([
        "aud",
        expect.stringMatching(/no audience was given.*anyAudience/),
      ]);
      expect((await verifyJwt(jwt, { publicKey: PEM, anyAudience: true })).aud).toEqual(aud);
    }
    expect((await verifyJwt(es384(goodClaims()), { publicKey: PEM })).aud).toBeUndefined();
    await rejects(
      verifyJwt(es384(goodClaims()), { publicKey: PEM, audience: "x", anyAudience: true }),
      "INVALID_ARGUMENT",
    );
  });

  test("now moves the check in time", async () => {
    const jwt = es384(goodClaims());
    await rejects(verifyJwt(jwt, { publicKey: PEM, now: new Date(Date.now() + 7200_000) }), "JWT_EXPIRED");
  });

  test.each(
    [
      ["missing exp", { exp: undefined }, "JWT_CLAIM_INVALID"],
      ["past exp", { exp: now() - 3600 }, "JWT_EXPIRED"],
      ["non-numeric exp", { exp: String(now() + 3600) }, "JWT_CLAIM_INVALID"],
      ["wrong iss", { iss: "someone-else" }, "JWT_CLAIM_INVALID"],
      ["no iss", { iss: undefined }, "JWT_CLAIM_INVALID"],
      ["a future nbf", { nbf: now() + 3600 }, "JWT_CLAIM_INVALID"],
      // Numbers a Date cannot hold: refused as claims, never a RangeError.
      ["exp -1e20", { exp: -1e20 }, "JWT_CLAIM_INVALID"],
      ["exp 1e20", { exp: 1e20 }, "JWT_CLAIM_INVALID"],
      ["a negative exp", { exp: -1 }, "JWT_CLAIM_INVALID"],
      ["nbf 1e300", { nbf: 1e300 }, "JWT_CLAIM_INVALID"],
      ["a non-numeric nbf", { nbf: "soon" }, "JWT_CLAIM_INVALID"],
    ] as const,
  )("%s is refused", async (_, change, code) => {
    const jwt = es384({ ...goodClaims(), ...change });
    await rejects(verifyJwt(jwt, { publicKey: PEM }), code, { jwt });
  });

  test("issuer and audience are checked when asked", async () => {
    const jwt = es384({ ...goodClaims(), iss: "staging", aud: ["a", "b"] });
    expect((await verifyJwt(jwt, { publicKey: PEM, issuer: "staging", audience: ["x", "b"] })).aud).toEqual(["a", "b"]);
    await rejects(verifyJwt(jwt, { publicKey: PEM, issuer: "staging", audience: "c" }), "JWT_CLAIM_INVALID");
    await rejects(verifyJwt(es384(goodClaims()), { publicKey: PEM, audience: "a" }), "JWT_CLAIM_INVALID");
  });

  test("a malformed token with a bad key is JWT_INVALID, with no stray rejection from the key", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): number => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      await rejects(verifyJwt("a.b", { publicKey: "not a pem" }), "JWT_INVALID");
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  test("bad options are INVALID_ARGUMENT", async () => {
    const jwt = es384(goodClaims());
    await rejects(verifyJwt(jwt, { publicKey: PEM, clockTolerance: -1 }), "INVALID_ARGUMENT");
    await rejects(verifyJwt(jwt, { publicKey: PEM, now: new Date("x") }), "INVALID_ARGUMENT");
    await rejects(verifyJwt(jwt, { publicKey: PEM, audience: [] }), "INVALID_ARGUMENT");
    await rejects(verifyJwt(jwt, { publicKey: "not a pem" }), "INVALID_ARGUMENT");
    await rejects(
      verifyJwt(jwt, { publicKey: p256.publicKey.export({ type: "spki", format: "pem" }).toString() }),
      "INVALID_ARGUMENT",
    );
    const p256Key = await jose.importSPKI(p256.publicKey.export({ type: "spki", format: "pem" }).toString(), "ES256");
    await rejects(verifyJwt(jwt, { publicKey: p256Key as CryptoKey }), "INVALID_ARGUMENT");
  });
});

describe("verifyJwt({ scope }) and membership from delegation (the server does not check it)", () => {
  const alice = async (scope: string, refreshable = true): Promise<string> =>
    getJwt(await getAccessToken({ ...f.user, ...f.at }), { ...f.at, scope, refreshable });
  /** What anyone can send the server themselves: a delegation request, without this library's checks. */
  async function forge(parent: string, scope: string): Promise<string> {
    const response = await fetch(`${f.at.baseUrl}/v1/oauth/jwt`, {
      method: "POST",
      headers: { authorization: `bearer ${parent}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ scope, aud: "deploy" }),
    });
    expect(response.status).toBe(200);
    return response.text();
  }
  const key = (): { publicKey: string; audience: string } => ({ publicKey: f.server.publicKey, audience: "deploy" });

  test.each([
    ["any organization, from a user:admin parent", "user:admin", "user:memberof:nobodys-org"],
    ["an organization whose name starts with the parent's", "user:memberof:acme", "user:memberof:acme-prod"],
    ["a membership the user really has", "user:memberof:acme", "user:memberof:acme"],
  ])("refuses a derived JWT's membership by default, with claim scope, saying why: %s", async (_, held, forged) => {
    const jwt = await forge(await alice(held), forged);
    expect(decodeJwt(jwt)).toMatchObject({ globalid: null, scope: [forged] });
    const error = await rejects(verifyJwt(jwt, { ...key(), scope: forged }), "JWT_CLAIM_INVALID", { jwt });
    expect(error.claim).toBe("scope");
    expect(error.message).toContain(`made by delegation (its globalid claim is null)`);
    expect(error.message).toMatch(/does not check membership when it derives a JWT.*trustDelegatedMembership/);
    // The same JWT is fine for what the server did check, and for membership when the verifier opts in.
    await verifyJwt(jwt, key());
    expect((await verifyJwt(jwt, { ...key(), scope: forged, trustDelegatedMembership: true })).scope).toEqual([forged]);
  });

  test("a refreshed derived JWT is still recognised: it keeps globalid null", async () => {
    const child = await forge(await alice("user:admin"), "user:memberof:acme-prod,offline_access");
    const renewed = await refreshJwt(child, f.at);
    expect(decodeJwt(renewed)).toMatchObject({ globalid: null, scope: ["user:memberof:acme-prod"] });
    const error = await rejects(
      verifyJwt(renewed, { publicKey: f.server.publicKey, anyAudience: true, scope: "user:memberof:acme-prod" }),
      "JWT_CLAIM_INVALID",
      { renewed },
    );
    expect(error.claim).toBe("scope");
  });

  test("accepts membership from a JWT the server issued from the key itself; from a refreshable one only when trusted", async () => {
    const options = { publicKey: f.server.publicKey, anyAudience: true, scope: "user:memberof:acme" };
    expect((await verifyJwt(await alice("user:memberof:acme", false), options)).scope).toEqual(["user:memberof:acme"]);
    const jwt = await alice("user:memberof:acme");
    for (const refreshable of [jwt, await refreshJwt(jwt, f.at)]) {
      const error = await rejects(verifyJwt(refreshable, options), "JWT_CLAIM_INVALID", { refreshable });
      expect(error.message).toMatch(/can be refreshed \(it has a refresh_token claim\).*proves nothing/);
      const trusted = { ...options, trustRefreshableMembership: true };
      expect((await verifyJwt(refreshable, trusted)).scope).toEqual(["user:memberof:acme"]);
    }
  });

  test("trustDelegatedMembership must be a boolean", async () => {
    await rejects(
      verifyJwt(await alice("user:name", false), { trustDelegatedMembership: "yes" as never }),
      "INVALID_ARGUMENT",
    );
  });
});

describe("isDerivedJwt()", () => {
  test.each([
    ["globalid null: made by delegation", { globalid: null }, true],
    ["no globalid: a user's JWT from credentials or a login", { username: "alice" }, false],
    ["a globalid string: an organization's JWT", { globalid: "acme" }, false],
    ["globalid undefined is not null", { globalid: undefined }, false],
    ["an empty globalid string", { globalid: "" }, false],
    ["null inherited, not its own claim", Object.create({ globalid: null }), false],
  ])("%s", (_, claims, expected) => {
    expect(isDerivedJwt(claims)).toBe(expected);
  });

  test("agrees with what the local server issues: derived (and refreshed) true, from credentials false", async () => {
    const token = await getAccessToken({ ...f.user, ...f.at });
    const parent = await getJwt(token, { ...f.at, scope: "user:name", refreshable: true });
    expect(isDerivedJwt(decodeJwt(parent))).toBe(false);
    expect(isDerivedJwt(decodeJwt(await getJwt(f.org, f.at)))).toBe(false);
    const response = await fetch(`${f.at.baseUrl}/v1/oauth/jwt`, {
      method: "POST",
      headers: { authorization: `bearer ${parent}` },
      body: new URLSearchParams({ scope: "user:name,offline_access" }),
    });
    const child = await response.text();
    expect(isDerivedJwt(decodeJwt(child))).toBe(true);
    expect(isDerivedJwt(decodeJwt(await refreshJwt(child, f.at)))).toBe(true);
  });
});

describe("the attack list: each forged token is refused with the right code", () => {
  const claims = goodClaims();
  const body = b64(JSON.stringify(claims));
  const pemBytes = Buffer.from(PEM);
  const hmac = (alg: string, hash: string): string => {
    const input = `${b64(JSON.stringify({ alg, typ: "JWT" }))}.${body}`;
    return `${input}.${b64(createHmac(hash, pemBytes).update(input).digest())}`;
  };
  const rs256 = (): string => {
    const input = `${b64(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${body}`;
    return `${input}.${b64(createSign("sha256").update(input).sign(rsa.privateKey))}`;
  };
  const good = es384(claims);
  const [h, p, s] = good.split(".");
  const der = (): string => {
    const input = `${h}.${p}`;
    return `${input}.${b64(sign("sha384", Buffer.from(input), { key: p384.privateKey, dsaEncoding: "der" }))}`;
  };
  const cases: [string, () => string, string][] = [
    ["alg none", () => `${b64('{"alg":"none","typ":"JWT"}')}.${body}.`, "JWT_INVALID"],
    ["HS256 with the public key as secret", () => hmac("HS256", "sha256"), "JWT_INVALID"],
    ["HS384 with the public key as secret", () => hmac("HS384", "sha384"), "JWT_INVALID"],
    ["RS256", rs256, "JWT_INVALID"],
    ["ES256 with a P-256 key", () => es384(claims, p256.privateKey, { alg: "ES256" }), "JWT_INVALID"],
    ["a DER-encoded signature", der, "JWT_SIGNATURE_INVALID"],
    ["a truncated signature", () => `${h}.${p}.${s.slice(0, -4)}`, "JWT_SIGNATURE_INVALID"],
    ["an extended signature", () => `${h}.${p}.${s}AAAA`, "JWT_SIGNATURE_INVALID"],
    ["an empty signature", () => `${h}.${p}.`, "JWT_SIGNATURE_INVALID"],
    ["another P-384 key's signature", () => es384(claims, otherP384.privateKey), "JWT_SIGNATURE_INVALID"],
    [
      "a payload changed after signing",
      () => `${h}.${b64(JSON.stringify({ ...claims, scope: ["admin"] }))}.${s}`,
      "JWT_SIGNATURE_INVALID",
    ],
    ["a crit header", () => es384(claims, p384.privateKey, { alg: "ES384", crit: ["x"], x: 1 }), "JWT_INVALID"],
    ["two segments", () => `${h}.${p}`, "JWT_INVALID"],
    ["four segments", () => `${good}.${s}`, "JWT_INVALID"],
    ["five segments", () => `${good}.${s}.${s}`, "JWT_INVALID"],
    ["bad base64url (+ and /)", () => `${h}.${p.slice(0, -2)}+/.${s}`, "JWT_INVALID"],
    ["base64 padding", () => `${h}.${p}==.${s}`, "JWT_INVALID"],
    ["an impossible base64 length", () => `${h}.AAAAA.${s}`, "JWT_INVALID"],
    ["a JSON array payload", () => es384([1, 2]), "JWT_INVALID"],
    ["a JSON string payload", () => es384("claims"), "JWT_INVALID"],
    ["a null payload", () => es384(null), "JWT_INVALID"],
    ["a payload that is not JSON", () => `${h}.${b64("{not json")}.${s}`, "JWT_INVALID"],
    ["a payload that is not UTF-8", () => `${h}.${b64(Buffer.from([0x7b, 0xff, 0x7d]))}.${s}`, "JWT_INVALID"],
  ];
  const oversized = (): string => es384({ ...claims, padding: "x".repeat(1024 * 1024) });

  test.each(cases)("%s", async (_, make, code) => {
    const jwt = make();
    await rejects(verifyJwt(jwt, { publicKey: PEM }), code as never, { jwt });
    // jose, an independent implementation, refuses each of them too.
    const key = await jose.importSPKI(PEM, "ES384");
    await expect(jose.jwtVerify(jwt, key, { algorithms: ["ES384"] })).rejects.toThrow();
  });

  test("a 1 MB token, validly signed, is refused before any work (jose would accept it)", async () => {
    const jwt = oversized();
    const error = await rejects(verifyJwt(jwt, { publicKey: PEM }), "JWT_INVALID");
    expect(error.message).toMatch(/longer than 131072 characters/);
  });

  test("decodeJwt() refuses the malformed ones with JWT_INVALID and reads the rest unverified", async () => {
    for (const jwt of [`${h}.${p}`, `${good}.x`, es384([1]), `${h}.${p}==.${s}`, "x".repeat(200_000)]) {
      await rejects(() => decodeJwt(jwt), "JWT_INVALID", { jwt });
    }
    for (const jwt of [hmac("HS256", "sha256"), rs256(), der(), `${h}.${p}.`]) {
      expect(decodeJwt(jwt)).toEqual(claims);
    }
    await rejects(() => decodeJwt(undefined as never), "JWT_INVALID");
  });
});

describe("property tests: parsers only ever throw ItsYouOnlineError", () => {
  const onlyOurErrors = (call: () => unknown): boolean => {
    try {
      call();
    } catch (error) {
      if (!(error instanceof ItsYouOnlineError)) throw error;
    }
    return true;
  };

  test("decodeJwt() on arbitrary strings and dot-joined base64url", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => onlyOurErrors(() => decodeJwt(text))));
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/);
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        (parts) => onlyOurErrors(() => decodeJwt(parts.join("."))),
      ),
    );
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const jwt = `${b64("{}")}.${b64(JSON.stringify(value) ?? "null")}.`;
      return onlyOurErrors(() => decodeJwt(jwt));
    }));
  });

  test("verifyJwt() on arbitrary claims signed with the right key: resolves or refuses with a JWT code", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), async (extra) => {
        const jwt = es384({
          ...extra,
          iss: "itsyouonline",
          exp: typeof extra.exp === "number" ? extra.exp : now() + 60,
        });
        try {
          await verifyJwt(jwt, { publicKey: PEM });
        } catch (error) {
          expect(error).toBeInstanceOf(ItsYouOnlineError);
          expect((error as ItsYouOnlineError).code).toMatch(/^JWT_/);
        }
      }),
      { numRuns: 50 },
    );
  });

  test("parseCallback() on arbitrary URLs and states", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()),
        fc.string(),
        (url, state) => onlyOurErrors(() => parseCallback(url, state)),
      ),
    );
  });

  test("getAccessToken() on arbitrary 200 bodies", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v) ?? "")), async (body) => {
        const fetchBody: typeof fetch = () => Promise.resolve(new Response(body, { status: 200 }));
        try {
          const token = await getAccessToken({ clientId: "a", clientSecret: "b", fetch: fetchBody, retries: 0 });
          expect(typeof token.accessToken).toBe("string");
        } catch (error) {
          expect(error).toBeInstanceOf(ItsYouOnlineError);
          expect((error as ItsYouOnlineError).code).toBe("INVALID_RESPONSE");
        }
      }),
      { numRuns: 200 },
    );
  });

  test("scope strings: the token's scopes never hold empty or padded entries", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.stringMatching(/^[ a-z:,]{0,12}$/), { maxLength: 6 }), async (parts) => {
        const scope = parts.join(",");
        const body = JSON.stringify({
          access_token: "abc",
          token_type: "bearer",
          scope,
          expires_in: 1,
          info: { username: "" },
        });
        const token = await getAccessToken({
          clientId: "a",
          clientSecret: "b",
          fetch: () => Promise.resolve(new Response(body)),
        });
        for (const entry of token.scopes) expect(entry).toBe(entry.trim());
        expect(token.scopes).not.toContain("");
        // Commas and spaces both separate scopes (a user API key's scopes come space-joined).
        expect(token.scopes.join(",")).toBe(scope.split(/[ ,]+/).filter(Boolean).join(","));
      }),
      { numRuns: 200 },
    );
  });
});

describe("verifyJwt() against jose on a corpus of over 80 tokens (RFC 7519), every disagreement listed", () => {
  /** Fixed "now" and options, the same for both libraries. */
  const NOW = 1_900_000_000;
  const TOLERANCE = 30;
  const webKeys = crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign", "verify"]);
  const enc = (value: unknown): string => b64(typeof value === "string" ? value : JSON.stringify(value));
  async function signed(claims: unknown, header: unknown = { alg: "ES384", typ: "JWT" }): Promise<string> {
    const input = `${enc(header)}.${enc(claims)}`;
    const signature = await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-384" },
      (await webKeys).privateKey,
      new TextEncoder().encode(input),
    );
    return `${input}.${b64(Buffer.from(signature))}`;
  }
  const base = { iss: "itsyouonline", azp: "acme", exp: NOW + 600, scope: ["user:memberof:acme"], aud: ["api", "a,b"] };
  type Entry = [name: string, token: () => Promise<string>, options?: { audience?: string | string[] }];
  const claimCases: [string, Record<string, unknown>][] = [
    ["good", {}],
    ["exp 1 s ahead", { exp: NOW + 1 }],
    ["exp at now", { exp: NOW }],
    ["exp inside the tolerance", { exp: NOW - TOLERANCE + 1 }],
    ["exp exactly at the tolerance", { exp: NOW - TOLERANCE }],
    ["exp past the tolerance", { exp: NOW - TOLERANCE - 1 }],
    ["exp fractional", { exp: NOW + 0.5 }],
    ["exp missing", { exp: undefined }],
    ["exp a string", { exp: String(NOW + 600) }],
    ["exp null", { exp: null }],
    ["exp 1e20", { exp: 1e20 }],
    ["exp negative", { exp: -1 }],
    ["exp a boolean", { exp: true }],
    ["nbf now", { nbf: NOW }],
    ["nbf inside the tolerance", { nbf: NOW + TOLERANCE }],
    ["nbf past the tolerance", { nbf: NOW + TOLERANCE + 1 }],
    ["nbf a string", { nbf: "soon" }],
    ["nbf null", { nbf: null }],
    ["iat now", { iat: NOW }],
    ["iat in the future", { iat: NOW + 3600 }],
    ["iat a string", { iat: "yesterday" }],
    ["iat null", { iat: null }],
    ["iat an object", { iat: {} }],
    ["iss missing", { iss: undefined }],
    ["iss other", { iss: "itsyouonline " }],
    ["iss a number", { iss: 1 }],
    ["iss an array", { iss: ["itsyouonline"] }],
    ["aud a string", { aud: "api" }],
    ["aud missing", { aud: undefined }],
    ["aud empty", { aud: [] }],
    ["aud padded", { aud: [" api "] }],
    ["aud a number", { aud: 1 }],
    ["aud with a comma-joined string", { aud: "api,admin" }],
    ["scope a string", { scope: "user:memberof:acme" }],
    ["extra claims", { jti: "x", sub: "y", unknown: { deep: [1] } }],
    ["a duplicate-looking claim", { EXP: 1 }],
  ];
  const headerCases: [string, unknown][] = [
    ["typ JWT", { alg: "ES384", typ: "JWT" }],
    ["no typ", { alg: "ES384" }],
    ["typ other", { alg: "ES384", typ: "at+jwt" }],
    ["a kid", { alg: "ES384", kid: "1" }],
    ["crit empty", { alg: "ES384", crit: [] }],
    ["crit b64", { alg: "ES384", crit: ["b64"], b64: false }],
    ["crit unknown", { alg: "ES384", crit: ["x"], x: 1 }],
    ["alg lower case", { alg: "es384" }],
    ["alg ES256", { alg: "ES256" }],
    ["alg none", { alg: "none" }],
    ["alg missing", {}],
    ["alg a number", { alg: 384 }],
    ["header an array", ["ES384"]],
  ];
  const corpus: Entry[] = [
    ...claimCases.map(([name, change]): Entry => [`claims: ${name}`, () => signed({ ...base, ...change })]),
    ...headerCases.map(([name, header]): Entry => [`header: ${name}`, () => signed(base, header)]),
    ...[["api"], "api", "a,b", ["a", "b"], "a", ["admin", "api"], " api", ["API"], "admin", ["nope", "a,b"]].map(
      (audience): Entry => [`audience option ${JSON.stringify(audience)}`, () => signed(base), { audience }],
    ),
    ["malformed: two parts", async () => (await signed(base)).split(".").slice(0, 2).join(".")],
    ["malformed: four parts", async () => `${await signed(base)}.AAAA`],
    ["malformed: padding", async () => (await signed(base)).replace(/\.([^.]+)$/, ".$1==")],
    ["malformed: standard base64 alphabet", async () => {
      const [h, p, s] = (await signed(base)).split(".");
      return `${h}.${p}.${s.replace(/-/g, "+").replace(/_/g, "/")}`;
    }],
    ["malformed: whitespace inside", async () => (await signed(base)).replace(".", ". ")],
    ["malformed: trailing newline", async () => `${await signed(base)}\n`],
    ["malformed: leading space", async () => ` ${await signed(base)}`],
    ["malformed: empty", async () => ""],
    ["malformed: dots only", async () => ".."],
    ["malformed: payload not JSON", async () => `${enc({ alg: "ES384" })}.${b64("{x")}.AAAA`],
    ["malformed: payload null", () => signed("null")],
    ["malformed: payload an array", () => signed([base])],
    ["malformed: payload a number", () => signed("42")],
    ["malformed: payload a string", () => signed('"claims"')],
    ["malformed: payload with a BOM", () => signed(`\ufeff${JSON.stringify(base)}`)],
    [
      "malformed: payload with a duplicate exp (the last wins)",
      () => signed(`{"iss":"itsyouonline","exp":1,"exp":${NOW + 60}}`),
    ],
    ["malformed: payload not UTF-8", async () => {
      const header = enc({ alg: "ES384" });
      const payload = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]).toString("base64url");
      const input = `${header}.${payload}`;
      const signature = await crypto.subtle.sign(
        { name: "ECDSA", hash: "SHA-384" },
        (await webKeys).privateKey,
        new TextEncoder().encode(input),
      );
      return `${input}.${b64(Buffer.from(signature))}`;
    }],
    ["signature: empty", async () => (await signed(base)).replace(/\.[^.]+$/, ".")],
    ["signature: one byte short", async () => {
      const [h, p, s] = (await signed(base)).split(".");
      return `${h}.${p}.${b64(Buffer.from(s, "base64url").subarray(1))}`;
    }],
    ["signature: one byte long", async () => {
      const [h, p, s] = (await signed(base)).split(".");
      return `${h}.${p}.${b64(Buffer.concat([Buffer.from(s, "base64url"), Buffer.from([0])]))}`;
    }],
    ["signature: one bit flipped", async () => {
      const [h, p, s] = (await signed(base)).split(".");
      const bytes = Buffer.from(s, "base64url");
      bytes[10] ^= 1;
      return `${h}.${p}.${b64(bytes)}`;
    }],
    ["signature: r and s swapped", async () => {
      const [h, p, s] = (await signed(base)).split(".");
      const bytes = Buffer.from(s, "base64url");
      return `${h}.${p}.${b64(Buffer.concat([bytes.subarray(48), bytes.subarray(0, 48)]))}`;
    }],
    ["signature: all zero", async () => `${(await signed(base)).replace(/\.[^.]+$/, "")}.${b64(Buffer.alloc(96))}`],
    ["signature: another key", () => Promise.resolve(es384(base))],
    ["signature: over another payload", async () => {
      const [h, , s] = (await signed(base)).split(".");
      return `${h}.${enc({ ...base, scope: ["organization:owner"] })}.${s}`;
    }],
  ];

  /**
   * Where verifyJwt() and jose disagree, and why. Being stricter than jose is
   * fine when it is documented; the test fails on any disagreement not listed
   * here, and on any listed one that no longer happens.
   */
  const DISAGREEMENTS: Record<string, string> = {
    "claims: exp missing":
      "ItsYou.online always sets exp; verifyJwt requires it (jose only when asked with requiredClaims).",
    "claims: exp 1e20": "verifyJwt refuses an exp beyond what a Date can hold (year 275760); jose accepts any number.",
    "malformed: trailing newline":
      "a compact JWT has no whitespace (RFC 7515 §7.1); jose's base64url decoder skips it.",
  };

  test("the corpus holds at least 80 tokens", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(80);
  });

  test("each token gets the same verdict from both, except the listed disagreements", async () => {
    const keys = await webKeys;
    const currentDate = new Date(NOW * 1000);
    const disagreements: string[] = [];
    for (const [name, make, extra] of corpus) {
      const jwt = await make();
      const ours = await verifyJwt(jwt, {
        publicKey: keys.publicKey,
        now: currentDate,
        clockTolerance: TOLERANCE,
        // jose checks aud only when told an audience; so does verifyJwt with anyAudience (its default refuses).
        ...(extra && "audience" in extra ? {} : { anyAudience: true }),
        ...extra,
      }).then(
        () => true,
        (error: unknown) => {
          expect(error, name).toBeInstanceOf(ItsYouOnlineError);
          return false;
        },
      );
      const theirs = await jose.jwtVerify(jwt, keys.publicKey, {
        algorithms: ["ES384"],
        issuer: "itsyouonline",
        currentDate,
        clockTolerance: TOLERANCE,
        ...extra,
      }).then(() => true, () => false);
      if (ours !== theirs) {
        disagreements.push(
          `${name}: verifyJwt ${ours ? "accepts" : "refuses"}, jose ${theirs ? "accepts" : "refuses"}`,
        );
      }
    }
    expect(disagreements.map((line) => line.split(": verifyJwt")[0]).sort()).toEqual(Object.keys(DISAGREEMENTS).sort());
    // Every disagreement is verifyJwt being stricter, never more lenient.
    for (const line of disagreements) expect(line, line).toMatch(/verifyJwt refuses, jose accepts/);
  });
});

describe("verifyJwt({ anyScope }) and membership rules", () => {
  const member = (claims: Record<string, unknown> = {}): string =>
    es384({ ...goodClaims(), scope: ["user:memberof:ops", "user:name"], ...claims });

  test("anyScope: one of the list is enough; none of it is JWT_CLAIM_INVALID naming the list", async () => {
    const jwt = member();
    expect((await verifyJwt(jwt, { publicKey: PEM, anyScope: ["user:memberof:admins", "user:name"] })).scope)
      .toContain("user:name");
    const error = await rejects(verifyJwt(jwt, { publicKey: PEM, anyScope: ["x", "y"] }), "JWT_CLAIM_INVALID", { jwt });
    expect([error.claim, error.message]).toEqual(["scope", expect.stringMatching(/contains none of "x y"/)]);
  });

  test("anyScope: a membership that proves nothing does not count; one that is not membership does", async () => {
    const refreshable = member({ refresh_token: "r" });
    await rejects(
      verifyJwt(refreshable, { publicKey: PEM, anyScope: ["user:memberof:ops", "user:memberof:admins"] }),
      "JWT_CLAIM_INVALID",
      { refreshable },
    );
    expect(
      (await verifyJwt(refreshable, { publicKey: PEM, anyScope: ["user:memberof:ops", "user:name"] })).scope,
    ).toContain("user:name");
    const derived = member({ globalid: null });
    const error = await rejects(
      verifyJwt(derived, { publicKey: PEM, scope: "user:memberof:ops" }),
      "JWT_CLAIM_INVALID",
      { derived },
    );
    expect(error.message).toMatch(/made by delegation/);
    const trusted = { publicKey: PEM, scope: "user:memberof:ops", trustDelegatedMembership: true };
    expect((await verifyJwt(derived, trusted)).globalid).toBeNull();
    await rejects(verifyJwt(derived, { ...trusted, trustRefreshableMembership: 1 as never }), "INVALID_ARGUMENT");
  });
});

describe("verifyRequest(): a request to claims, or RFC 6750's answer", () => {
  const options = { publicKey: PEM, audience: "orders", scope: "a" };
  const good = (): string => es384({ ...goodClaims(), aud: ["orders"] });
  const refused = async (
    request: Parameters<typeof verifyRequest>[0],
    extra: Record<string, unknown> = {},
  ): Promise<Exclude<Awaited<ReturnType<typeof verifyRequest>>, { ok: true }>> => {
    const result = await verifyRequest(request, { ...options, ...extra });
    if (result.ok) throw new Error("accepted");
    return result;
  };

  test("a header value or anything with headers.get(); the scheme in any case", async () => {
    for (
      const request of [
        `Bearer ${good()}`,
        `bEaReR ${good()}`,
        new Request("http://x/", { headers: { authorization: `bearer ${good()}` } }),
      ]
    ) {
      const result = await verifyRequest(request, options);
      expect(result.ok && result.claims.azp).toBe("acme");
    }
  });

  test("no credentials, or another scheme: 401 with the bare challenge (and the realm when given), no error code", async () => {
    for (const request of [undefined, null, "", "   ", "Basic YWxpY2U6cw==", new Request("http://x/")]) {
      const result = await refused(request);
      expect([result.status, result.headers, result.body.error, result.error.code]).toEqual([
        401,
        { "www-authenticate": "Bearer" },
        undefined,
        "INVALID_REQUEST",
      ]);
    }
    expect((await refused(undefined, { realm: "orders" })).headers["www-authenticate"]).toBe('Bearer realm="orders"');
  });

  test("Bearer without a token, with two, or with characters a token cannot hold: 400 invalid_request", async () => {
    for (const header of ["Bearer", "Bearer  ", `Bearer ${good()} ${good()}`, "Bearer a,b", 'Bearer "quoted"']) {
      const result = await refused(header);
      expect(result.status, header).toBe(400);
      expect(result.body.error).toBe("invalid_request");
      expect(result.headers["www-authenticate"]).toMatch(
        /^Bearer error="invalid_request", error_description="[^"\\]+"$/,
      );
    }
  });

  test("a bad, expired or misaddressed JWT: 401 invalid_token; a missing scope: 403 insufficient_scope naming all it needs", async () => {
    const expired = es384({ ...goodClaims(), aud: ["orders"], exp: now() - 60 });
    for (const jwt of ["x.y.z", expired, es384({ ...goodClaims(), aud: ["billing"] }), es384(goodClaims())]) {
      const result = await refused(`Bearer ${jwt}`);
      expect([result.status, result.body.error]).toEqual([401, "invalid_token"]);
      expect(JSON.stringify(result)).not.toContain(jwt);
    }
    const result = await refused(`Bearer ${good()}`, { scope: "b", anyScope: ["c", "d"] });
    expect(result.status).toBe(403);
    expect(result.headers["www-authenticate"]).toMatch(
      /^Bearer error="insufficient_scope", error_description="[^"]+", scope="b c d"$/,
    );
    // The description's quotes become apostrophes in the header; the body keeps the message as it is.
    expect(result.body.error_description).toContain('"b"');
    expect(result.headers["www-authenticate"]).toContain("'b'");
  });

  test("wrong options throw, a request without a token too; so does a request that is neither text nor a Request", async () => {
    await rejects(verifyRequest(undefined, { ...options, publicKey: "not a pem" }), "INVALID_ARGUMENT");
    await rejects(verifyRequest(undefined, { ...options, realm: "ünïcode" }), "INVALID_ARGUMENT");
    await rejects(verifyRequest(["Bearer x"] as never, options), "INVALID_ARGUMENT");
  });
});
