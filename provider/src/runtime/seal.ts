// Sealing of BMC credentials for their trip through the engine. A Pulumi secret is still printed in
// clear by the engine's and the SDK's most verbose logs (-v=3 and up, --debug), so the power
// parameters travel as AES-256-GCM ciphertext under a key derived from the MAAS API key, which both
// the program and the provider have and which never enters the engine. The nonce is derived from the
// plaintext, so equal parameters seal equally and diffs stay quiet.
import * as crypto from "node:crypto";

const PREFIX = "sealed:v1:";

function keyFrom(apiKey: string): Buffer {
    return Buffer.from(crypto.hkdfSync("sha256", apiKey, "maas-automation", "power-parameters", 32));
}

export function isSealed(value: unknown): value is string {
    return typeof value === "string" && value.startsWith(PREFIX);
}

export function sealJson(value: unknown, apiKey: string): string {
    const key = keyFrom(apiKey);
    const plain = Buffer.from(JSON.stringify(value), "utf8");
    const iv = crypto.createHmac("sha256", key).update(plain).digest().subarray(0, 12);
    const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${iv.toString("base64")}:${body.toString("base64")}`;
}

export function unsealJson(sealed: string, apiKey: string): unknown {
    const [ivText, bodyText] = sealed.slice(PREFIX.length).split(":");
    const key = keyFrom(apiKey);
    const body = Buffer.from(bodyText ?? "", "base64");
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(ivText ?? "", "base64"));
    decipher.setAuthTag(body.subarray(body.length - 16));
    try {
        return JSON.parse(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8"));
    } catch {
        throw new Error("the sealed power parameters cannot be opened with this MAAS API key (was the key changed? run `up` again with the file's power_parameters)");
    }
}
