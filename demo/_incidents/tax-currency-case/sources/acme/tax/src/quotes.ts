import * as Sentry from "@sentry/node";
import { rates } from "./rates";

const CURRENCIES = new Set(["EUR", "GBP", "CHF", "SEK", "PLN"]);

export class QuoteRefused extends Error {}

export function checkCurrency(country: string, currency: string) {
  if (!CURRENCIES.has(currency)) {
    Sentry.captureMessage("unsupported currency '" + currency + "' for " + country + ", quote refused", "error");
    throw new QuoteRefused("currency");
  }
}

export function quote(req: { country: string; currency: string; lines: { amount: number; category: string }[] }) {
  checkCurrency(req.country, req.currency);
  return req.lines.map((l) => Math.round(l.amount * rates.for(req.country, l.category)));
}
