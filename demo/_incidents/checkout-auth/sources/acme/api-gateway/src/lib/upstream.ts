import { config, type Service } from "../config.js";
import { UpstreamError } from "./errors.js";
import { signRequest } from "./serviceAuth.js";

export interface UpstreamOptions {
  /** Sign the request with acme service-auth (required by auth-service). */
  signed?: boolean;
}

/** Calls an internal service and returns its JSON answer; throws UpstreamError on non-2xx. */
export async function callUpstream<T>(
  service: Service,
  method: string,
  path: string,
  body?: unknown,
  opts: UpstreamOptions = {},
): Promise<T> {
  const url = new URL(path, config.upstreams[service]).toString();
  const payload = body === undefined ? "" : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (opts.signed) {
    Object.assign(headers, signRequest(method, url, payload, config.serviceKey));
  }
  const res = await fetch(url, {
    method,
    headers,
    body: payload === "" ? undefined : payload,
    signal: AbortSignal.timeout(config.upstreamTimeoutMs),
  });
  if (!res.ok) {
    throw new UpstreamError(service, res.status, method, path, await res.text());
  }
  return res.status === 204 ? (undefined as T) : ((await res.json()) as T);
}
