import { apiFetch } from "./client";

export interface Money {
  amount: string;
  currency: string;
}

export interface Product {
  sku: string;
  name: string;
  description: string;
  brand: string;
  images: { url: string; alt: string }[];
  price: Money;
}

export interface Review {
  rating: number;
  title: string;
  body: string;
  author: string;
}

export async function getProduct(sku: string): Promise<Product> {
  return apiFetch<Product>("GET", `/api/products/${encodeURIComponent(sku)}`);
}

export async function getReviews(sku: string): Promise<Review[]> {
  const page = await apiFetch<{ reviews: Review[] }>("GET", `/api/products/${encodeURIComponent(sku)}/reviews`);
  return page.reviews;
}
