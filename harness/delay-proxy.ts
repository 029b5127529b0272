/**
 * A TCP proxy on 127.0.0.1 that puts a network between a client and a server:
 * every chunk is held for half the round-trip time in each direction, and a new
 * connection's first bytes for one more round trip (the TCP handshake, which
 * loopback makes free; this kernel has no netem). Order is kept per direction.
 * It counts the TCP connections it saw, the TLS handshakes among them, and the
 * servers' HelloRetryRequests (read from the first handshake record each side
 * sends: a ClientHello, and a ServerHello whose random is RFC 8446's HRR value).
 */
import { connect, createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";

export interface DelayProxy {
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  /** Connections that began with a TLS handshake record (a ClientHello). */
  tlsHandshakes: number;
  /** Connections whose server answered the ClientHello with a HelloRetryRequest (one more round trip). */
  helloRetryRequests: number;
  reset(): void;
  close(): Promise<void>;
}

export async function startDelayProxy(targetPort: number, rttMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, tlsHandshakes: 0, helloRetryRequests: 0 };
  /** Forwards `from` to `to`, each chunk `delay(first)` ms later than it came, never before the one before it. */
  const pipe = (from: Socket, to: Socket, delay: (first: boolean) => number): void => {
    let last = 0;
    let first = true;
    from.on("data", (chunk: Buffer) => {
      const due = Math.max(performance.now() + delay(first), last);
      last = due;
      first = false;
      // Clamped: by the time this runs, a chunk due "now" is already a fraction of a millisecond late.
      setTimeout(() => to.destroyed || to.write(chunk), Math.max(0, due - performance.now()));
    });
    from.on("end", () => setTimeout(() => to.destroyed || to.end(), Math.max(0, last - performance.now())));
    from.on("error", () => to.destroy());
  };
  const server = createServer((client) => {
    state.connections++;
    client.once("data", (chunk: Buffer) => void (chunk[0] === 0x16 && state.tlsHandshakes++));
    const upstream = connect(targetPort, "127.0.0.1");
    upstream.once("data", (chunk: Buffer) => void (isHelloRetryRequest(chunk) && state.helloRetryRequests++));
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    }
    pipe(client, upstream, (first) => rttMs / 2 + (first ? rttMs : 0));
    pipe(upstream, client, () => rttMs / 2);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    get tlsHandshakes() {
      return state.tlsHandshakes;
    },
    get helloRetryRequests() {
      return state.helloRetryRequests;
    },
    reset: () => Object.assign(state, { connections: 0, tlsHandshakes: 0, helloRetryRequests: 0 }),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest"). */
const HRR_RANDOM = Buffer.from("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c", "hex");

/** A handshake record (0x16) whose first message is a ServerHello (2) with the HRR random (record 5 + header 4 + version 2 bytes in). */
export function isHelloRetryRequest(chunk: Buffer): boolean {
  return chunk.length >= 43 && chunk[0] === 0x16 && chunk[5] === 0x02 && chunk.subarray(11, 43).equals(HRR_RANDOM);
}
