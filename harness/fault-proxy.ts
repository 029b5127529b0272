/**
 * A TCP proxy on 127.0.0.1 in front of a server, whose network can be made to fail on command: `pass` forwards,
 * `blackhole` accepts connections and never answers, `reset` closes each connection at once, `hold` forwards but
 * holds every answer from the server for `holdMs`. A change of mode also ends the connections open at the time, as a
 * network change does (a kept-alive connection would otherwise go on in the old mode).
 */
import { connect, createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";

export type FaultMode = "pass" | "blackhole" | "reset" | "hold";

export interface FaultProxy {
  url: string;
  mode: FaultMode;
  setMode(mode: FaultMode): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetPort: number, holdMs = 5000): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): Socket => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    return socket;
  };
  const state = { mode: "pass" as FaultMode };
  const server = createServer((client) => {
    track(client);
    switch (state.mode) {
      case "blackhole":
        client.resume(); // read and drop, never answer
        return;
      case "reset":
        client.resetAndDestroy();
        return;
      default: {
        const held = state.mode === "hold";
        const upstream = track(connect(targetPort, "127.0.0.1"));
        client.pipe(upstream);
        upstream.on("data", (chunk: Buffer) => {
          if (!held) return void client.write(chunk);
          setTimeout(() => client.writable && client.write(chunk), holdMs).unref();
        });
        upstream.on("end", () => (held ? setTimeout(() => client.end(), holdMs).unref() : client.end()));
        upstream.on("close", () => !held && client.destroy());
        client.on("close", () => upstream.destroy());
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get mode() {
      return state.mode;
    },
    setMode(mode) {
      state.mode = mode;
      for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
