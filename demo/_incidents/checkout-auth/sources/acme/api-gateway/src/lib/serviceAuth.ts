// acme service-auth v1 (see auth-service's README): HMAC-SHA256 over the
// method, the request path, a timestamp and the SHA-256 of the body.
import { createHash, createHmac } from "node:crypto";
import type { ServiceKey } from "../config.js";

export const KEY_ID_HEADER = "X-Acme-Key-Id";
export const TIMESTAMP_HEADER = "X-Acme-Timestamp";
export const SIGNATURE_HEADER = "X-Acme-Signature";

/** The string-to-sign: method, path, timestamp and body hash, one per line. */
export function canonicalRequest(method: string, path: string, timestamp: string, body: string): string {
  const bodyHash = createHash("sha256").update(body).digest("hex");
  return [method.toUpperCase(), path, timestamp, bodyHash].join("\n");
}

/** Headers that sign a request to url with the gateway's service key. */
export function signRequest(
  method: string,
  url: string,
  body: string,
  key: ServiceKey,
  now: number = Date.now(),
): Record<string, string> {
  const timestamp = Math.floor(now / 1000).toString();
  const { pathname } = new URL(url);
  const signature = createHmac("sha256", Buffer.from(key.secret, "hex"))
    .update(canonicalRequest(method, pathname, timestamp, body))
    .digest("hex");
  return {
    [KEY_ID_HEADER]: key.id,
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signature,
  };
}
