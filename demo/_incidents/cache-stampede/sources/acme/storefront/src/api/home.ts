import { apiFetch } from "./client";

export interface Tile {
  sku: string;
  name: string;
  imageUrl: string;
  priceCents: number;
}

export interface Widget {
  id: string;
  title: string;
  tiles: Tile[];
}

export async function getHome(): Promise<Widget[]> {
  const home = await apiFetch<{ widgets: Widget[] }>("GET", "/api/home");
  return home.widgets;
}
