// TLS material for --tls-self-signed (made with the openssl command) or --tls-cert/--tls-key.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type TlsOption = { selfSigned: true } | { cert: string; key: string };

export interface TlsMaterial {
  cert: string;
  key: string;
  /** the certificate a client trusts (the self-signed certificate is its own CA) */
  caFile: string;
  /** removes what was made for this run */
  cleanup(): void;
}

function selfSigned(host: string): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), "maas-sim-tls-"));
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "ca.pem");
  const san = [`DNS:localhost`, `IP:127.0.0.1`, /^\d+\.\d+\.\d+\.\d+$/.test(host) ? `IP:${host}` : `DNS:${host}`];
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "30", "-subj", "/CN=maas-sim", "-addext", `subjectAltName=${[...new Set(san)].join(",")}`],
    { stdio: "ignore" },
  );
  return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), caFile: certFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function tlsMaterial(opt: TlsOption, host: string): TlsMaterial {
  if ("selfSigned" in opt) return selfSigned(host);
  return { cert: readFileSync(opt.cert, "utf8"), key: readFileSync(opt.key, "utf8"), caFile: opt.cert, cleanup: () => {} };
}
