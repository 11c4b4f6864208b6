import { fetch } from "undici";

export class UpstreamError extends Error {
  constructor(readonly service: string, readonly status: number, readonly body: string) {
    super(service + " answered " + status + ": " + body.slice(0, 200));
    this.name = "UpstreamError";
  }
}

const bases: Record<string, string> = {
  "coupons": process.env.COUPONS_URL ?? "http://coupons.internal:8080",
};

export async function forward(service: string, method: string, path: string, body?: unknown) {
  const res = await fetch(bases[service] + path, {
    method,
    headers: { "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) {
    throw new UpstreamError(service, res.status, text);
  }
  return JSON.parse(text);
}
