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
  ITSYOU_ONLINE_PUBLIC_KEY,
  ITSYOU_ONLINE_STAGING_PUBLIC_KEY,
  ItsYouOnlineError,
  parseCallback,
  verifyJwt,
} from "../../mod.ts";
import { rejects, useServerFixture } from "../support/expect.ts";

const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
const otherP384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = p384.publicKey.export({ type: "spki", format: "pem" }).toString();

const b64 = (text: string | Buffer): string => Buffer.from(text).toString("base64url");
const now = (): number => Math.floor(Date.now() / 1000);
const goodClaims = (): Record<string, unknown> => ({ azp: "acme", exp: now() + 3600, iss: "itsyouonline", scope: ["a"] });

/** A compact JWT signed with ES384 (raw R||S), or with `signer` for other algorithms. */
function es384(claims: unknown, key: KeyObject = p384.privateKey, header: unknown = { alg: "ES384", typ: "JWT" }): string {
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

  test("now moves the check in time", async () => {
    const jwt = es384(goodClaims());
    await rejects(verifyJwt(jwt, { publicKey: PEM, now: new Date(Date.now() + 7200_000) }), "JWT_EXPIRED");
  });

  test.each([
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
  ] as const)("%s is refused", async (_, change, code) => {
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
    await rejects(verifyJwt(jwt, { publicKey: p256.publicKey.export({ type: "spki", format: "pem" }).toString() }), "INVALID_ARGUMENT");
    const p256Key = await jose.importSPKI(p256.publicKey.export({ type: "spki", format: "pem" }).toString(), "ES256");
    await rejects(verifyJwt(jwt, { publicKey: p256Key as CryptoKey }), "INVALID_ARGUMENT");
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
    ["a payload changed after signing", () => `${h}.${b64(JSON.stringify({ ...claims, scope: ["admin"] }))}.${s}`, "JWT_SIGNATURE_INVALID"],
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
    fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (parts) => onlyOurErrors(() => decodeJwt(parts.join(".")))));
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const jwt = `${b64("{}")}.${b64(JSON.stringify(value) ?? "null")}.`;
      return onlyOurErrors(() => decodeJwt(jwt));
    }));
  });

  test("verifyJwt() on arbitrary claims signed with the right key: resolves or refuses with a JWT code", async () => {
    await fc.assert(fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), async (extra) => {
      const jwt = es384({ ...extra, iss: "itsyouonline", exp: typeof extra.exp === "number" ? extra.exp : now() + 60 });
      try {
        await verifyJwt(jwt, { publicKey: PEM });
      } catch (error) {
        expect(error).toBeInstanceOf(ItsYouOnlineError);
        expect((error as ItsYouOnlineError).code).toMatch(/^JWT_/);
      }
    }), { numRuns: 50 });
  });

  test("parseCallback() on arbitrary URLs and states", () => {
    fc.assert(fc.property(fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()), fc.string(), (url, state) =>
      onlyOurErrors(() => parseCallback(url, state))));
  });

  test("getAccessToken() on arbitrary 200 bodies", async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v) ?? "")), async (body) => {
      const fetchBody: typeof fetch = () => Promise.resolve(new Response(body, { status: 200 }));
      try {
        const token = await getAccessToken({ clientId: "a", clientSecret: "b", fetch: fetchBody, retries: 0 });
        expect(typeof token.accessToken).toBe("string");
      } catch (error) {
        expect(error).toBeInstanceOf(ItsYouOnlineError);
        expect((error as ItsYouOnlineError).code).toBe("INVALID_RESPONSE");
      }
    }), { numRuns: 200 });
  });

  test("scope strings: the token's scopes never hold empty or padded entries", async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.stringMatching(/^[ a-z:,]{0,12}$/), { maxLength: 6 }), async (parts) => {
      const scope = parts.join(",");
      const body = JSON.stringify({ access_token: "abc", token_type: "bearer", scope, expires_in: 1, info: { username: "" } });
      const token = await getAccessToken({ clientId: "a", clientSecret: "b", fetch: () => Promise.resolve(new Response(body)) });
      for (const entry of token.scopes) expect(entry).toBe(entry.trim());
      expect(token.scopes).not.toContain("");
      // Commas and spaces both separate scopes (a user API key's scopes come space-joined).
      expect(token.scopes.join(",")).toBe(scope.split(/[ ,]+/).filter(Boolean).join(","));
    }), { numRuns: 200 });
  });
});
