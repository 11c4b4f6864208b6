import * as Sentry from "@sentry/node";
import type { Request, Response } from "express";

import { provider } from "../lib/provider.js";
import { parseIntentRequest, ValidationError } from "../lib/schema.js";

/** POST /v1/payment-intents */
export async function createIntent(req: Request, res: Response) {
  let body;
  try {
    body = parseIntentRequest(req.body);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    console.warn(`invalid payment intent request from ${req.get("x-acme-caller") ?? "unknown"}: ${err.message}`);
    Sentry.captureException(err, { tags: { caller: req.get("x-acme-caller") ?? "unknown" } });
    return res.status(422).json({ error: "invalid_request", detail: err.message });
  }
  const intent = await provider.createIntent(body);
  res.status(201).json({ id: intent.id, status: intent.status, redirect_url: intent.redirectUrl ?? null });
}
