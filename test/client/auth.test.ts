import { test } from "node:test";
import assert from "node:assert/strict";
import type * as M from "../../provider/src/maas";
// Under tsx the sources run directly; compiled (dist/test/client) the provider's own build is used.
const maas = require(__filename.endsWith(".ts") ? "../../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;
const { ConfigError, MaasClient, OAuthSigner, parseApiKey, apiRootFromUrl } = maas;

const KEY = "cKeyAAAAAAAAAAAAAA:tKeyBBBBBBBBBBBBBB:sEcReTcccccccccccccccccccccccccc";

function headerParams(h: string): Record<string, string> {
  assert.match(h, /^OAuth /);
  const out: Record<string, string> = {};
  for (const part of h.slice(6).split(",")) {
    const m = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
    assert.ok(m, `header part '${part}' is key="value"`);
    out[m[1]!] = decodeURIComponent(m[2]!);
  }
  return out;
}

test("signing: PLAINTEXT header carries consumer key, token, and signature '&' + token secret", () => {
  const signer = new OAuthSigner(parseApiKey(KEY));
  const raw = signer.authorization("POST", "http://maas:5240/MAAS/api/2.0/machines/?op=allocate");
  const p = headerParams(raw);
  assert.equal(p.oauth_signature_method, "PLAINTEXT");
  assert.equal(p.oauth_consumer_key, "cKeyAAAAAAAAAAAAAA");
  assert.equal(p.oauth_token, "tKeyBBBBBBBBBBBBBB");
  assert.equal(p.oauth_signature, "&sEcReTcccccccccccccccccccccccccc");
  assert.match(raw, /oauth_signature="%26sEcReT/, "the '&' is percent-encoded in the header");
  assert.equal(p.oauth_version, "1.0");
  assert.match(p.oauth_nonce!, /^[A-Za-z0-9]+$/);
  assert.ok(Math.abs(Number(p.oauth_timestamp) - Date.now() / 1000) < 5, "timestamp is current unix seconds");
});

test("signing: every request gets a fresh nonce (MAAS rejects reused nonces)", () => {
  const signer = new OAuthSigner(parseApiKey(KEY));
  const nonces = new Set<string>();
  for (let i = 0; i < 50; i++) nonces.add(headerParams(signer.authorization("GET", "http://x/MAAS/api/2.0/machines/")).oauth_nonce!);
  assert.equal(nonces.size, 50);
});

test("a malformed API key is refused before any request, without printing the key", () => {
  const bad = ["", "Zq9x7Kp2Lm", "Zq9x7Kp2:Wm4rT8", "Zq9:Wm4:Xy7:Rt5", "Zq9x7::Xy7Qp", "Zq9x7:Wm4 rT8:Xy7Qp"];
  for (const k of bad) {
    assert.throws(
      () => new MaasClient({ apiUrl: "http://127.0.0.1:1/MAAS", apiKey: k }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, `ConfigError for '${k}'`);
        for (const piece of k.split(":").filter((x) => x.length > 2)) assert.ok(!e.message.includes(piece), `message does not contain '${piece}'`);
        return true;
      },
    );
  }
});

test("the signer does not expose the secret when inspected or serialised", () => {
  const signer = new OAuthSigner(parseApiKey(KEY));
  assert.ok(!JSON.stringify(signer).includes("sEcReT"));
  assert.ok(!require("node:util").inspect(signer).includes("sEcReT"));
});

test("API URL is normalised with or without trailing slash and /api/2.0", async () => {
  for (const u of ["http://m:5240/MAAS", "http://m:5240/MAAS/", "http://m:5240/MAAS/api/2.0", "http://m:5240/MAAS/api/2.0/"]) {
    assert.equal(apiRootFromUrl(u), "http://m:5240/MAAS/api/2.0/");
  }
  assert.throws(() => apiRootFromUrl("not a url"), ConfigError);
});
