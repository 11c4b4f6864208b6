import { callUpstream } from "../lib/upstream.js";

interface Validation {
  valid: boolean;
  user_id: string;
}

/** Asks auth-service whether the browser session is still valid. */
export async function validateSession(sessionId: string): Promise<Validation> {
  return callUpstream<Validation>(
    "auth-service",
    "POST",
    "/v1/sessions/validate",
    { session_id: sessionId },
    { signed: true },
  );
}
