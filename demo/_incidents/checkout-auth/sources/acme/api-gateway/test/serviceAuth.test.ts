import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { canonicalRequest, signRequest } from "../src/lib/serviceAuth.ts";

const key = { id: "api-gateway-2026-09", secret: "30313233343536373839616263646566" };

test("canonical request", () => {
  assert.equal(
    canonicalRequest("post", "/v1/sessions/validate", "1795230000", "{}"),
    "POST\n/v1/sessions/validate\n1795230000\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  );
});

test("signRequest signs the canonical request", () => {
  const headers = signRequest("POST", "http://auth-service.internal:8080/v1/sessions/validate", "{}", key, 1795230000_000);
  const want = createHmac("sha256", Buffer.from(key.secret, "hex"))
    .update(canonicalRequest("POST", "/v1/sessions/validate", "1795230000", "{}"))
    .digest("hex");
  assert.equal(headers["X-Acme-Signature"], want);
  assert.equal(headers["X-Acme-Timestamp"], "1795230000");
});
