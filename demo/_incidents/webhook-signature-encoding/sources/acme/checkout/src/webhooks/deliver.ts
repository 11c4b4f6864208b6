import { fetch } from "undici";
import { signPayload } from "./sign";

export class DeliveryError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super("webhook-relay answered " + status + ": " + body.slice(0, 200));
    this.name = "DeliveryError";
  }
}

const RELAY_URL = process.env.RELAY_URL ?? "http://webhook-relay.internal:8080";

export async function deliver(event: string, payload: Record<string, unknown>) {
  const body = JSON.stringify(payload);
  const res = await fetch(RELAY_URL + "/v1/deliveries", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ event, payload: body, signature: signPayload(body) }),
  });
  if (res.status >= 400) {
    throw new DeliveryError(res.status, await res.text());
  }
}
