/**
 * OAuth 1.0a PLAINTEXT signing for the MAAS API (maas-api.md §1.4): key = consumer:token:secret,
 * consumer secret always empty, signature "&<token secret>" (percent-encoded in the header).
 */
import OAuth from "oauth-1.0a";
import { ConfigError } from "./errors";

export interface MaasCredentials {
  consumerKey: string;
  tokenKey: string;
  tokenSecret: string;
}

/** Split an API key; throws ConfigError (which never contains the key) when malformed. */
export function parseApiKey(apiKey: string): MaasCredentials {
  if (typeof apiKey !== "string" || apiKey.trim() === "") {
    throw new ConfigError("MAAS API key is empty; expected the form consumer_key:token_key:token_secret");
  }
  const parts = apiKey.trim().split(":");
  if (parts.length !== 3) {
    throw new ConfigError(`MAAS API key is malformed: expected 3 colon-separated parts (consumer_key:token_key:token_secret), got ${parts.length}`);
  }
  const names = ["consumer key", "token key", "token secret"];
  parts.forEach((p, i) => {
    if (p === "") throw new ConfigError(`MAAS API key is malformed: the ${names[i]} part is empty`);
    if (/\s/.test(p)) throw new ConfigError(`MAAS API key is malformed: the ${names[i]} part contains whitespace`);
  });
  return { consumerKey: parts[0]!, tokenKey: parts[1]!, tokenSecret: parts[2]! };
}

export class OAuthSigner {
  private readonly oauth: OAuth;
  private readonly token: OAuth.Token;

  constructor(creds: MaasCredentials) {
    this.oauth = new OAuth({
      consumer: { key: creds.consumerKey, secret: "" },
      signature_method: "PLAINTEXT",
      // PLAINTEXT: the signature is the signing key itself ("&" + token secret).
      hash_function: (_base: string, key: string) => key,
    });
    this.token = { key: creds.tokenKey, secret: creds.tokenSecret };
    // The key must never show up in logs or error dumps via this object.
    Object.defineProperty(this, "token", { enumerable: false });
    Object.defineProperty(this, "oauth", { enumerable: false });
  }

  /** A fresh Authorization header (new nonce and timestamp: MAAS rejects reused nonces). */
  authorization(method: string, url: string): string {
    // PLAINTEXT does not sign the URL or body, so only method and URL are passed.
    const data = this.oauth.authorize({ method, url }, this.token);
    return this.oauth.toHeader(data).Authorization;
  }
}
