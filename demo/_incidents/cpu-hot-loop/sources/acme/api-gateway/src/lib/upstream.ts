const upstreams = {
  search: process.env.SEARCH_URL ?? "http://search.internal:8000",
} as const;

export type Service = keyof typeof upstreams;

const timeoutMs = { search: 2500 } satisfies Record<Service, number>;

/** A non-2xx answer from an internal service. */
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
    headers: { accept: "application/json", "x-acme-deadline-ms": String(timeoutMs[service] - 100) },
    signal: AbortSignal.timeout(timeoutMs[service]),
  });
  if (!res.ok) {
    throw new UpstreamError(service, res.status, method, path, await res.text());
  }
  return (await res.json()) as T;
}
