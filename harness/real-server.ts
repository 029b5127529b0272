/**
 * The real ItsYou.online server (itsyouonline/identityserver, built and started by
 * harness/identityserver/start.sh with ./real-seed.ts), as the contract suites see it:
 * its server.json, a login through its own /login API with a TOTP second factor,
 * and JWTs signed with its key for the cases a client cannot otherwise reach.
 * Runtime-neutral (Node and Deno): node:crypto, node:fs and fetch only.
 */
import { createHmac, createPrivateKey, sign } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { authorizeUrl, randomState } from "../mod.ts";
import { CODE_CLIENT, USER } from "./real-seed.ts";

/** The environment variable that names a running server's server.json (npm run test:real sets it). */
export const SERVER_ENV = "ITSYOU_REAL_SERVER";

export interface RealServer {
  url: string;
  caFile: string;
  publicKey: string;
  org: { clientId: string; clientSecret: string };
  /** start.sh's folder: its jwt_key.pem signs the server's JWTs. */
  dir: string;
}

export function realServer(): RealServer {
  const file = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[SERVER_ENV];
  if (!file || !existsSync(file)) {
    throw new Error(
      `${SERVER_ENV} must name the server.json of a running identityserver: run \`npm run test:real\`, which starts one, ` +
        `or start.sh DIR seed.json yourself and set ${SERVER_ENV}=DIR/server.json.`,
    );
  }
  return { ...JSON.parse(readFileSync(file, "utf8")), dir: dirname(file) };
}

/** A JWT with these claims, signed with the server's own key (ES384, raw R||S, as the server signs). */
export function signWithServerKey(server: RealServer, claims: Record<string, unknown>): string {
  const key = createPrivateKey(readFileSync(join(server.dir, "jwt_key.pem"), "utf8"));
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${b64({ alg: "ES384", typ: "JWT" })}.${b64(claims)}`;
  return `${input}.${sign("sha384", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
}

/** RFC 6238: the 6-digit code of a base32 secret for the current 30-second step. */
export function totp(secret: string, now = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...secret.replace(/=+$/, "")].map((char) => alphabet.indexOf(char).toString(2).padStart(5, "0")).join(
    "",
  );
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** A browser's cookie jar, just enough for the server's session cookies. */
class Browser {
  #cookies = new Map<string, string>();
  readonly #base: string;
  constructor(base: string) {
    this.#base = base;
  }

  async go(
    path: string,
    init: { method?: string; json?: unknown } = {},
  ): Promise<{ status: number; location: string | null; body: string }> {
    const headers: Record<string, string> = {
      cookie: [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; "),
    };
    if (init.json !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(new URL(path, this.#base), {
      method: init.method ?? "GET",
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      redirect: "manual",
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const equals = pair.indexOf("=");
      this.#cookies.set(pair.slice(0, equals).trim(), pair.slice(equals + 1));
    }
    return { status: response.status, location: response.headers.get("location"), body: await response.text() };
  }
}

export interface Authorized {
  /** Where the server sent the browser at the end: the redirect_uri with code and state. */
  callback: string;
  state: string;
  /** Each step's status, for the suite to check the login went as the server's pages do it. */
  steps: number[];
}

/**
 * The authorization code flow as a user's browser goes through it: /v1/oauth/authorize sends it to /login;
 * bob's password (POST /login), then his TOTP code (POST /login/totpconfirmation) log him in; the redirect URL
 * the server answers with goes back to /v1/oauth/authorize, which redirects to the callback with a code,
 * because bob already consented to testorg (the `authorizations` collection).
 */
export async function logInAndAuthorize(
  server: RealServer,
  scope: string,
  redirectUri = CODE_CLIENT.callbackUrl,
): Promise<Authorized> {
  const browser = new Browser(server.url);
  const state = randomState();
  const start = authorizeUrl({ clientId: CODE_CLIENT.clientId, redirectUri, scope, state, baseUrl: server.url });
  const toLogin = await browser.go(start.href);
  const query = new URL(toLogin.location ?? "", server.url).search;
  const password = await browser.go(`/login${query}`, {
    method: "POST",
    json: { login: USER.username, password: USER.password },
  });
  const secondFactor = await browser.go(`/login/totpconfirmation${query}`, {
    method: "POST",
    json: { totpcode: totp(USER.totpSecret) },
  });
  const next = (JSON.parse(secondFactor.body) as { redirecturl: string }).redirecturl;
  const authorized = await browser.go(next);
  return {
    callback: authorized.location ?? "",
    state,
    steps: [toLogin.status, password.status, secondFactor.status, authorized.status],
  };
}
