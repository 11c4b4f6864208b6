export type Service = "auth-service" | "payments" | "inventory";

export interface ServiceKey {
  id: string;
  secret: string; // hex
}

export const config = {
  port: Number(process.env.PORT ?? 3000),
  redisUrl: process.env.REDIS_URL ?? "redis://redis.internal:6379/0",
  upstreams: {
    "auth-service": process.env.AUTH_SERVICE_URL ?? "http://auth-service.internal:8080",
    payments: process.env.PAYMENTS_URL ?? "http://payments.internal:8000",
    inventory: process.env.INVENTORY_URL ?? "http://inventory.internal:8000",
  } satisfies Record<Service, string>,
  serviceKey: {
    id: process.env.SERVICE_KEY_ID ?? "",
    secret: process.env.SERVICE_KEY_SECRET ?? "",
  } satisfies ServiceKey,
  upstreamTimeoutMs: 5000,
};
