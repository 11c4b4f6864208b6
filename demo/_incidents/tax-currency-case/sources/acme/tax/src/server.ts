import express from "express";
import { quote, QuoteRefused } from "./quotes";

export const app = express();

app.post("/v1/quotes", function createQuote(req, res) {
  try {
    res.json({ taxes: quote(req.body) });
  } catch (err) {
    if (err instanceof QuoteRefused) {
      res.status(422).json({ error: "quote_refused", field: err.message });
      return;
    }
    throw err;
  }
});
