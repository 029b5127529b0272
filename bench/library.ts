/**
 * The library in this process, against the local server here: how many requests each flow makes, how many a cold
 * token source makes for 1 to 1000 concurrent callers (and how long a cached call takes), and how decodeJwt and
 * verifyJwt grow with the number of scopes in a JWT.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { createTokenSource, decodeJwt, getAccessToken, getJwt, verifyJwt } from "../mod.ts";
import { startServer } from "../server/serve.ts";
import { check, median, round, RUNS } from "./measure.ts";
import type { Part } from "./measure.ts";

export async function measureLibrary() {
  const local = await startServer();
  try {
    const [org] = local.registry.organizations;
    const credentials = { clientId: org.globalId, clientSecret: org.secret };
    const at = { baseUrl: local.url };
    const requestsFor = async (flow: () => Promise<unknown>): Promise<number> => {
      local.reset();
      await flow();
      return local.count();
    };
    const warmSource = createTokenSource({ ...credentials, ...at });
    await warmSource.jwt();
    const roundTrips = [
      {
        flow: "getJwt({ clientId, clientSecret })",
        expected: 1,
        requests: await requestsFor(() => getJwt(credentials, at)),
      },
      {
        flow: "getAccessToken() then getJwt(token)",
        expected: 2,
        requests: await requestsFor(async () => getJwt(await getAccessToken({ ...credentials, ...at }), at)),
      },
      { flow: "createTokenSource().jwt(), cached", expected: 0, requests: await requestsFor(() => warmSource.jwt()) },
    ].map((row) => ({
      ...row,
      status: check(row.requests === row.expected, `${row.flow}: ${row.requests} requests, expected ${row.expected}`),
    }));

    console.log("Concurrency on a cold token source…");
    const concurrency: { callers: number; requests: number; msPerCall: number; status: string }[] = [];
    for (const callers of [1, 10, 100, 1000]) {
      const perCall: number[] = [];
      let requests = 0;
      for (let run = 0; run < RUNS; run++) {
        const source = createTokenSource({ ...credentials, ...at });
        local.reset();
        const started = performance.now();
        await Promise.all(Array.from({ length: callers }, () => source.jwt()));
        perCall.push((performance.now() - started) / callers);
        requests = Math.max(requests, local.count());
      }
      concurrency.push({
        callers,
        requests,
        msPerCall: round(median(perCall), 4),
        status: check(requests === 1, `${callers} callers made ${requests} requests`),
      });
    }
    const warmCalls = 100_000;
    const warm = {
      calls: warmCalls,
      microsecondsPerCall: await microseconds(() => warmSource.jwt(), warmCalls, 3),
    };
    const { growth, growthStatus } = await measureGrowth();

    const lines = [
      "| Round trips (counted by the server) | requests |",
      "|---|---:|",
      ...roundTrips.map((row) => `| ${row.flow} | ${row.requests} ${row.status} |`),
      "",
      "| Concurrent `jwt()` calls on a cold source | requests | ms per call |",
      "|---|---:|---:|",
      ...concurrency.map((row) => `| ${row.callers} | ${row.requests} ${row.status} | ${row.msPerCall} |`),
      `| warm (cached) call | 0 | ${round(warm.microsecondsPerCall / 1000, 6)} |`,
      "",
      "| Scopes in the JWT | JWT bytes | decodeJwt µs | verifyJwt µs |",
      "|---:|---:|---:|---:|",
      ...growth.map((row) =>
        `| ${row.scopes} | ${row.jwtBytes} | ${row.decodeJwtMicroseconds} | ${row.verifyJwtMicroseconds} |`
      ),
      `| growth 100 → 1000 scopes | 10x bytes | ${
        round(growth[3].decodeJwtMicroseconds / growth[2].decodeJwtMicroseconds)
      }x ${growthStatus.decodeJwt} | ${
        round(growth[3].verifyJwtMicroseconds / growth[2].verifyJwtMicroseconds)
      }x ${growthStatus.verifyJwt} |`,
    ];
    return { results: { roundTrips, concurrency, warm, growth, growthStatus }, lines } satisfies Part<unknown>;
  } finally {
    await local.close();
  }
}

/** The median over RUNS runs of the µs one `operation` takes, each run timing `iterations` in a row. */
async function microseconds(operation: () => unknown, iterations: number, digits = 2): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) await operation();
    samples.push(((performance.now() - started) / iterations) * 1000);
  }
  return round(median(samples), digits);
}

/** decodeJwt and verifyJwt on JWTs of 1 to 1000 scopes: 10x the bytes may cost at most 15x (10x, 50% slack for noise). */
async function measureGrowth() {
  console.log("Cost growth with the number of scopes…");
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const b64 = (text: string | Buffer): string => Buffer.from(text).toString("base64url");
  const tokenWith = (scopes: number): string => {
    const claims = {
      azp: "acme",
      exp: Math.floor(Date.now() / 1000) + 3600,
      globalid: "acme",
      iss: "itsyouonline",
      scope: Array.from({ length: scopes }, (_, i) => `user:memberof:organization-${i}`),
    };
    const input = `${b64('{"alg":"ES384","typ":"JWT"}')}.${b64(JSON.stringify(claims))}`;
    return `${input}.${b64(sign("sha384", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }))}`;
  };
  const growth: { scopes: number; jwtBytes: number; decodeJwtMicroseconds: number; verifyJwtMicroseconds: number }[] =
    [];
  for (const scopes of [1, 10, 100, 1000]) {
    const jwt = tokenWith(scopes);
    await verifyJwt(jwt, { publicKey: pem }); // imports and caches the key
    growth.push({
      scopes,
      jwtBytes: jwt.length,
      decodeJwtMicroseconds: await microseconds(() => decodeJwt(jwt), 2000),
      verifyJwtMicroseconds: await microseconds(() => verifyJwt(jwt, { publicKey: pem }), 200),
    });
  }
  const linear = (key: "decodeJwtMicroseconds" | "verifyJwtMicroseconds"): string => {
    const ratio = growth[3][key] / growth[2][key];
    return check(ratio <= 15, `${key} grew ${round(ratio)}x from 100 to 1000 scopes (superlinear)`);
  };
  return {
    growth,
    growthStatus: { decodeJwt: linear("decodeJwtMicroseconds"), verifyJwt: linear("verifyJwtMicroseconds") },
  };
}
