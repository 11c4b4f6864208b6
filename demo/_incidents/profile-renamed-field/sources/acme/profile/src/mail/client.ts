import { fetch } from "undici";

export class MailerError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super("mailer answered " + status + ": " + body.slice(0, 200));
    this.name = "MailerError";
  }
}

const MAILER_URL = process.env.MAILER_URL ?? "http://mailer.internal:8080";

export async function sendMail(template: string, recipient: Record<string, unknown>, vars: Record<string, unknown> = {}) {
  const res = await fetch(MAILER_URL + "/v1/messages", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ template, recipient, vars }),
  });
  if (res.status >= 400) {
    throw new MailerError(res.status, await res.text());
  }
}
