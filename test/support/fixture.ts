/** The server fixture every suite shares: a started local server and its credentials. */
import { startServer } from "../../server/serve.ts";
import type { RunningServer, ServerOptions } from "../../server/serve.ts";
import type { CoreSetting } from "./core-suite.ts";

export interface Fixture {
  server: RunningServer;
  /** Organization key with the client credentials flow enabled. */
  org: { clientId: string; clientSecret: string };
  /** Organization key without it. */
  orgWithoutClientCredentials: { clientId: string; clientSecret: string };
  /** A user API key of alice. */
  user: { clientId: string; clientSecret: string };
  /** Request options that reach the server. */
  at: { baseUrl: string };
  callbackUrl: string;
}

export async function startFixture(options: ServerOptions = {}): Promise<Fixture> {
  const server = await startServer(options);
  const [org, other] = server.registry.organizations;
  const user = server.registry.userKeys[0];
  return {
    server,
    org: { clientId: org.globalId, clientSecret: org.secret },
    orgWithoutClientCredentials: { clientId: other.globalId, clientSecret: other.secret },
    user: { clientId: user.applicationId, clientSecret: user.secret },
    at: { baseUrl: server.url + (options.pathPrefix ?? "") },
    callbackUrl: org.callbackUrl,
  };
}

/** Goes through the fixture's /v1/oauth/authorize as alice for client acme and returns the code it sends back. */
export async function authorizationCode(f: Fixture, scope: string, state = "st"): Promise<string> {
  const url = new URL(`${f.server.url}/v1/oauth/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: f.org.clientId,
    redirect_uri: f.callbackUrl,
    scope,
    state,
  }).toString();
  const response = await fetch(url, { redirect: "manual" });
  await response.body?.cancel();
  return new URL(response.headers.get("location")!).searchParams.get("code")!;
}

/** A port on 127.0.0.1 where nothing listens: connections are refused. */
export async function closedPortUrl(): Promise<string> {
  const server = await startServer();
  await server.close();
  return server.url;
}

/** The shared core suite's setting for a running fixture (plain data: it crosses into child processes and workers). */
export async function coreSetting(f: Fixture): Promise<CoreSetting> {
  return {
    baseUrl: f.at.baseUrl,
    org: f.org,
    user: f.user,
    publicKey: f.server.publicKey,
    callbackUrl: f.callbackUrl,
    closedUrl: await closedPortUrl(),
  };
}
