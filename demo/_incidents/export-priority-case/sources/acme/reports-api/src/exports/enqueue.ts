import { fetch } from "undici";
import { buildJob, ExportRequest } from "./job";

export class ExportError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super("export-worker answered " + status + ": " + body.slice(0, 200));
    this.name = "ExportError";
  }
}

const WORKER_URL = process.env.EXPORT_WORKER_URL ?? "http://export-worker.internal:8080";

export async function enqueueExport(req: ExportRequest) {
  const res = await fetch(WORKER_URL + "/v1/jobs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(buildJob(req)),
  });
  if (res.status >= 400) {
    throw new ExportError(res.status, await res.text());
  }
  return res.json();
}
