import "./instrument.js";

import * as Sentry from "@sentry/node";
import cookieParser from "cookie-parser";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { Redis } from "ioredis";

import { UpstreamError } from "./lib/upstream.js";
import { getHome } from "./routes/home.js";

const redis = new Redis(process.env.REDIS_URL ?? "redis://redis.internal:6379/0");
const app = express();

app.use(helmet());
app.use(express.json());
app.use(cookieParser());
app.use("/api", async (req: Request, res: Response, next: NextFunction) => {
  const sid = req.cookies["acme_sid"];
  const raw = sid ? await redis.get(`sess:${sid}`) : null;
  req.session = raw ? JSON.parse(raw) : { customerId: "anonymous" };
  next();
});

app.get("/api/home", getHome);

Sentry.setupExpressErrorHandler(app);
app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
  res.status(err instanceof UpstreamError ? 502 : 500).json({ error: "upstream_failed" });
});

app.listen(Number(process.env.PORT ?? 3000));
