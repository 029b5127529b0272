/**
 * How many TCP connections sequential calls open, counted by the benchmark's proxy in front of the local
 * server (no delay). Runtime-neutral (Node, Deno, Bun): each runtime's suite runs it on its own fetch.
 */
import type * as Mod from "../../mod.ts";
import { startDelayProxy } from "../../harness/delay-proxy.ts";
import { authorizationCode } from "./fixture.ts";
import type { Fixture } from "./fixture.ts";

export async function sequentialConnections(
  lib: typeof Mod,
  f: Fixture,
): Promise<{ tokenThenJwt: number; codeThenJwt: number }> {
  // A proxy (a new origin, so no pooled connection) for each flow.
  const through = async (flow: (at: { baseUrl: string }) => Promise<unknown>): Promise<number> => {
    const proxy = await startDelayProxy(f.server.port, 0);
    try {
      await flow({ baseUrl: `http://127.0.0.1:${proxy.port}` });
      return proxy.connections;
    } finally {
      await proxy.close();
    }
  };
  const tokenThenJwt = await through(async (at) => lib.getJwt(await lib.getAccessToken({ ...f.org, ...at }), at));
  // A code from the server directly (alice is logged in there), then the exchange and the JWT through the proxy.
  const state = lib.randomState();
  const code = await authorizationCode(f, "user:name", state);
  const codeThenJwt = await through(async (at) =>
    lib.getJwt(await lib.exchangeCode({ ...f.org, code, state, redirectUri: f.callbackUrl, ...at }), at)
  );
  return { tokenThenJwt, codeThenJwt };
}
