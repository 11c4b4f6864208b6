import type { Service } from "../config.js";

/** An upstream service answered with a non-2xx status. */
export class UpstreamError extends Error {
  constructor(
    readonly service: Service,
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(`${service} responded ${status} to ${method} ${path}`);
    this.name = "UpstreamError";
  }
}
