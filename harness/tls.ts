/**
 * Throwaway TLS material for tests, made with openssl: a CA and a separate leaf
 * certificate (Deno's rustls refuses a self-signed certificate used as its own
 * CA). Runtime-neutral (Node, Deno, Bun).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Certificates {
  /** The CA's certificate: trust it with NODE_EXTRA_CA_CERTS or `deno --cert`. */
  caFile: string;
  /** The leaf's certificate and key (PEM), for a server. */
  cert: string;
  key: string;
  dir: string;
}

/** A CA and a leaf for `names` (DNS names and IP addresses). */
export function makeCertificates(names: string[] = ["127.0.0.1", "localhost"]): Certificates {
  const dir = mkdtempSync(join(tmpdir(), "itsyou-tls-"));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync("openssl", args, { stdio: "ignore" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-days",
    "2",
    "-subj",
    "/CN=itsyou-test-ca",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  openssl("req", ...ec, "-subj", `/CN=${names[0]}`, "-keyout", file("key.pem"), "-out", file("leaf.csr"));
  const san = names.map((name) => (/^[\d.]+$/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(",");
  writeFileSync(file("ext"), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(
    "x509",
    "-req",
    "-in",
    file("leaf.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file("ext"),
    "-out",
    file("cert.pem"),
  );
  return {
    caFile: file("ca.pem"),
    cert: readFileSync(file("cert.pem"), "utf8"),
    key: readFileSync(file("key.pem"), "utf8"),
    dir,
  };
}
