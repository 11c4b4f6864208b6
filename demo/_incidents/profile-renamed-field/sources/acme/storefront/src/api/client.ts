// Minimal JSON client for the shop's API (same origin, session cookie).
export async function apiFetch<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!res.ok) {
    throw new Error(method + " " + path + " failed: " + res.status + " " + res.statusText);
  }
  return (await res.json()) as T;
}
