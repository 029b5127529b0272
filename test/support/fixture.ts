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
