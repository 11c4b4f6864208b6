import { createHmac } from "node:crypto";

const SECRET = process.env.WEBHOOK_SECRET ?? "";

// The signature the relay checks: HMAC-SHA256 of the body.
export function signPayload(body: string): string {
  return createHmac("sha256", SECRET).update(body).digest("hex");
}
