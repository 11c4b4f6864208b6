export interface Coupon {
  code: string;
  kind: "percent" | "fixed";
  percentOff?: number;
  amountOffCents?: number;
}

export interface Cart {
  id: string;
  subtotalCents: number;
  notes: string[];
}
