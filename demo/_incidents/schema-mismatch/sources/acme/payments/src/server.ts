import "./instrument.js";

import * as Sentry from "@sentry/node";
import express from "express";
import helmet from "helmet";

import { createIntent } from "./routes/intents.js";

const app = express();
app.use(helmet());
app.use(express.json());

app.post("/v1/payment-intents", createIntent);

Sentry.setupExpressErrorHandler(app);
app.listen(Number(process.env.PORT ?? 3000));
