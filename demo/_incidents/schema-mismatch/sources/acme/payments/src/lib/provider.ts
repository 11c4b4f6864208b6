import type { IntentRequest } from "./schema.js";

export interface Intent {
  id: string;
  status: "requires_action" | "succeeded" | "failed";
  redirectUrl?: string;
}

const baseUrl = process.env.PROVIDER_URL ?? "https://api.payprovider.test/v1";

/** The payment provider's API. */
export const provider = {
  async createIntent(req: IntentRequest): Promise<Intent> {
    const res = await fetch(`${baseUrl}/intents`, {
      method: "POST",
      headers: { authorization: `Bearer ${process.env.PROVIDER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        amount: req.amountCents,
        currency: req.currency,
        payment_method: req.paymentMethodId,
        metadata: { order_id: req.orderId, customer_id: req.customerId },
      }),
    });
    if (!res.ok) throw new Error(`provider answered ${res.status}`);
    const body = (await res.json()) as { id: string; status: Intent["status"]; next_action?: { redirect_url: string } };
    return { id: body.id, status: body.status, redirectUrl: body.next_action?.redirect_url };
  },
};
