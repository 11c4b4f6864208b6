/** A request body that does not match the API. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValidationError";
  }
}

export interface IntentRequest {
  orderId: string;
  amountCents: number;
  currency: string;
  paymentMethodId: string;
  customerId: string;
}

function str(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== "string" || v === "") {
    throw new ValidationError(`${key}: expected a string, got ${JSON.stringify(v) ?? "undefined"}`);
  }
  return v;
}

/** Validates the body of POST /v1/payment-intents. */
export function parseIntentRequest(body: Record<string, unknown>): IntentRequest {
  const amount = body["amount_cents"];
  if (typeof amount !== "number" || !Number.isInteger(amount) || amount <= 0) {
    throw new ValidationError(`amount_cents: expected a positive integer, got ${JSON.stringify(amount) ?? "undefined"}`);
  }
  return {
    orderId: str(body, "order_id"),
    amountCents: amount,
    currency: str(body, "currency"),
    paymentMethodId: str(body, "payment_method_id"),
    customerId: str(body, "customer_id"),
  };
}
