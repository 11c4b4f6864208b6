import * as Sentry from "@sentry/node";
import cookieParser from "cookie-parser";
import cors from "cors";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { randomUUID } from "node:crypto";
import { config } from "./config.js";
import { UpstreamError } from "./lib/errors.js";
import { sessionMiddleware } from "./middleware/session.js";
import { getCart } from "./routes/cart.js";
import { postCheckout } from "./routes/checkout.js";

const app = express();
app.use(helmet());
app.use(cors({ origin: "https://shop.acme.test", credentials: true }));
app.use(express.json({ limit: "64kb" }));
app.use(cookieParser());
app.use(function requestId(req: Request, res: Response, next: NextFunction) {
  res.setHeader("x-request-id", req.get("x-request-id") ?? randomUUID());
  next();
});
app.use("/api", sessionMiddleware);

app.get("/api/cart", getCart);
app.post("/api/checkout", postCheckout);

Sentry.setupExpressErrorHandler(app);

app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
  const status = err instanceof UpstreamError && err.status < 500 ? 502 : 500;
  res.status(status).json({ error: "internal_error", eventId: (res as { sentry?: string }).sentry });
});

app.listen(config.port, () => console.log(`api-gateway listening on :${config.port}`));
