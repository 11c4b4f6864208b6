import "./instrument.js";

import * as Sentry from "@sentry/node";
import cookieParser from "cookie-parser";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";

import { UpstreamError } from "./lib/upstream.js";
import { getFacets, getSearch } from "./routes/search.js";

const app = express();

app.use(helmet());
app.use(express.json());
app.use(cookieParser());

app.get("/api/search", getSearch);
app.get("/api/search/facets", getFacets);

Sentry.setupExpressErrorHandler(app);
app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
  const status = err instanceof UpstreamError && err.status === 504 ? 504 : 500;
  res.status(status).json({ error: status === 504 ? "upstream_timeout" : "internal_error" });
});

app.listen(Number(process.env.PORT ?? 3000));
