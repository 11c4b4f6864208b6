import type { Request, Response } from "express";

/** GET /api/me: who is signed in (from the session, no upstream call). */
export async function getMe(req: Request, res: Response) {
  const { userId, displayName, company } = req.session;
  res.json({ id: userId, name: displayName, company: company ?? null });
}
