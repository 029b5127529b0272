/** The benchmark's parts that its numbers rest on: the delaying proxy. */
import { afterEach, expect, test } from "vitest";
import { createServer } from "node:net";
import type { AddressInfo, Server } from "node:net";
import { connect } from "node:net";
import { startDelayProxy } from "../../harness/delay-proxy.ts";

let echo: Server | undefined;
afterEach(async () => void (echo && (await new Promise((resolve) => echo!.close(resolve)))));

test.each([0, 20])(
  "the delay proxy at RTT %i ms echoes every byte in order, counts its connection, and never sets a negative timer",
  async (rtt) => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo!.listen(0, "127.0.0.1", resolve));
    const proxy = await startDelayProxy((echo.address() as AddressInfo).port, rtt);
    const warnings: string[] = [];
    const onWarning = (warning: Error): number => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const sent = Array.from({ length: 50 }, (_, i) => `chunk-${i};`).join("");
      const received = await new Promise<string>((resolve, reject) => {
        const socket = connect(proxy.port, "127.0.0.1", () => {
          for (let i = 0; i < 50; i++) socket.write(`chunk-${i};`);
        });
        let text = "";
        socket.on("data", (data) => {
          text += data;
          if (text.length >= sent.length) {
            socket.end();
            resolve(text);
          }
        });
        socket.on("error", reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 20)); // warnings are emitted on a later tick
      expect(received).toBe(sent);
      expect(proxy.connections).toBe(1);
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      await proxy.close();
    }
  },
);

test.each([["P-384", 1], ["X25519", 0]] as const)(
  "the delay proxy counts a server's HelloRetryRequest: a server with only %s answers Node's ClientHello with %i",
  async (curve, expected) => {
    const { makeCertificates } = await import("../../harness/tls.ts");
    const { createServer: createTlsServer, connect: tlsConnect } = await import("node:tls");
    const { readFileSync } = await import("node:fs");
    const certificates = makeCertificates();
    const server = createTlsServer(
      { cert: certificates.cert, key: certificates.key, ecdhCurve: curve },
      (socket) => socket.end("hello"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const proxy = await startDelayProxy((server.address() as AddressInfo).port, 0);
    try {
      const text = await new Promise<string>((resolve, reject) => {
        const socket = tlsConnect({
          host: "127.0.0.1",
          port: proxy.port,
          ca: readFileSync(certificates.caFile),
          servername: undefined,
        }, () => {});
        let received = "";
        socket.on("data", (data) => (received += data));
        socket.on("end", () => resolve(received));
        socket.on("error", reject);
      });
      expect(text).toBe("hello");
      expect([proxy.connections, proxy.tlsHandshakes, proxy.helloRetryRequests]).toEqual([1, 1, expected]);
    } finally {
      await proxy.close();
      await new Promise((resolve) => server.close(resolve));
    }
  },
);
