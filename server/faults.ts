/**
 * Faults for the local server, as a layer around its handler: a rule matches
 * the next `times` requests to a path and replaces or disturbs the answer.
 * The protocol handlers in `itsyou.ts` know nothing about this.
 */
import type { ServerResponse } from "node:http";

export type Fault =
  /** Close the connection without answering. */
  | { type: "reset" }
  /** Answer normally, but close the connection after half of the body. */
  | { type: "reset-during-body" }
  /** Wait, then answer normally. */
  | { type: "delay-headers"; ms: number }
  /** Send the headers and half of the body, wait, then the rest. */
  | { type: "delay-body"; ms: number }
  /** Answer this instead; `size` repeats `body` (or "x") to that many bytes, streamed. */
  | { type: "respond"; status: number; headers?: Record<string, string>; body?: string; size?: number };

export interface FaultRule {
  /** The request path it applies to; every path when absent. */
  path?: string;
  /** Only requests whose body matches, e.g. /response_type=id_token/ for a JWT straight from the credentials. */
  body?: RegExp;
  /** How many requests it applies to (default 1). */
  times?: number;
  fault: Fault;
}

import type { BodyHandler } from "./itsyou.ts";

export function withFaults(handler: BodyHandler, rules: FaultRule[]): BodyHandler {
  return (request, response, body) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const rule = rules.find((rule) =>
      (rule.times ?? 1) > 0 && (rule.path === undefined || rule.path === path) &&
      (rule.body === undefined || rule.body.test(body))
    );
    if (!rule) return handler(request, response, body);
    rule.times = (rule.times ?? 1) - 1;
    const fault = rule.fault;
    switch (fault.type) {
      case "reset":
        request.socket.destroy();
        return;
      case "delay-headers": {
        const timer = setTimeout(() => handler(request, response, body), fault.ms);
        response.on("close", () => clearTimeout(timer));
        return;
      }
      case "reset-during-body":
      case "delay-body":
        splitBody(response, fault.type === "delay-body" ? fault.ms : undefined);
        return handler(request, response, body);
      case "respond":
        return respond(response, fault);
    }
  };
}

/** Makes `response.end(body)` send half the body, then the rest after `ms`, or a reset when `ms` is undefined. */
function splitBody(response: ServerResponse, ms: number | undefined): void {
  const end = response.end.bind(response);
  response.end = ((chunk?: string | Buffer) => {
    const body = Buffer.from(chunk ?? "");
    const half = Math.max(1, Math.floor(body.length / 2));
    response.write(body.subarray(0, half));
    if (ms === undefined) {
      setTimeout(() => response.socket?.destroy(), 20);
    } else {
      const timer = setTimeout(() => end(body.subarray(half)), ms);
      response.on("close", () => clearTimeout(timer));
    }
    return response;
  }) as typeof response.end;
}

function respond(response: ServerResponse, fault: Extract<Fault, { type: "respond" }>): void {
  const headers = { ...fault.headers };
  if (fault.size === undefined) {
    const body = fault.body ?? "";
    response.writeHead(fault.status, { ...headers, "content-length": Buffer.byteLength(body) }).end(body);
    return;
  }
  // A big body is streamed in 64 KiB chunks, so the client can stop reading early.
  const chunk = Buffer.alloc(64 * 1024, fault.body ?? "x");
  let left = fault.size;
  response.writeHead(fault.status, { ...headers, "content-length": fault.size });
  const pump = (): void => {
    while (left > 0) {
      const part = chunk.subarray(0, Math.min(left, chunk.length));
      left -= part.length;
      if (!response.write(part)) return void response.once("drain", pump);
    }
    response.end();
  };
  response.on("close", () => (left = 0));
  pump();
}
