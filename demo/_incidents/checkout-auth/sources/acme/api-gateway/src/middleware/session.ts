import type { NextFunction, Request, Response } from "express";
import { redis } from "../lib/redis.js";

export interface Session {
  id: string;
  userId: string;
  cartId: string;
}

declare module "express-serve-static-core" {
  interface Request {
    session?: Session;
  }
}

/** Loads the browser session named by the acme_sid cookie; 401 without one. */
export async function sessionMiddleware(req: Request, res: Response, next: NextFunction): Promise<void> {
  const sid = req.cookies?.acme_sid as string | undefined;
  const raw = sid ? await redis.get(`sess:${sid}`) : null;
  if (!raw) {
    res.status(401).json({ error: "not_signed_in" });
    return;
  }
  req.session = JSON.parse(raw) as Session;
  next();
}
