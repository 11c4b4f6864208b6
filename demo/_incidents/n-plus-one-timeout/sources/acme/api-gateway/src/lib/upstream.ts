const upstreams = {
  cart: process.env.CART_URL ?? "http://cart.internal:8000",
  accounts: process.env.ACCOUNTS_URL ?? "http://accounts.internal:8000",
} as const;

export type Service = keyof typeof upstreams;

const timeoutMs = Number(process.env.UPSTREAM_TIMEOUT_MS ?? 3000);

/** A non-2xx answer (or no answer) from an internal service. */
export class UpstreamError extends Error {
  constructor(
    readonly service: Service,
    readonly status: number,
    method: string,
    path: string,
    readonly body: string,
  ) {
    super(`${service} responded ${status} to ${method} ${path}`);
    this.name = "UpstreamError";
  }
}

/** Calls an internal service and returns its JSON answer; throws UpstreamError on non-2xx. */
export async function callUpstream<T>(service: Service, method: string, path: string): Promise<T> {
  const res = await fetch(new URL(path, upstreams[service]), {
    method,
    headers: { accept: "application/json", "x-acme-deadline-ms": String(timeoutMs - 100) },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) {
    throw new UpstreamError(service, res.status, method, path, await res.text());
  }
  return (await res.json()) as T;
}
