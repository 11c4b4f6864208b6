import "./instrument.js";

import * as Sentry from "@sentry/node";
import cookieParser from "cookie-parser";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { Redis } from "ioredis";

import { UpstreamError } from "./lib/upstream.js";
import { getMe } from "./routes/account.js";
import { getCart } from "./routes/cart.js";

const redis = new Redis(process.env.REDIS_URL ?? "redis://redis.internal:6379/0");
const app = express();

app.use(helmet());
app.use(express.json());
app.use(cookieParser());
app.use("/api", async (req: Request, res: Response, next: NextFunction) => {
  const sid = req.cookies["acme_sid"];
  const raw = sid ? await redis.get(`sess:${sid}`) : null;
  if (!raw) return res.status(401).json({ error: "not_signed_in" });
  req.session = JSON.parse(raw);
  next();
});

app.get("/api/me", getMe);
app.get("/api/cart", getCart);

Sentry.setupExpressErrorHandler(app);
app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
  const status = err instanceof UpstreamError && err.status === 504 ? 504 : 500;
  res.status(status).json({ error: status === 504 ? "upstream_timeout" : "internal_error" });
});

app.listen(Number(process.env.PORT ?? 3000));
