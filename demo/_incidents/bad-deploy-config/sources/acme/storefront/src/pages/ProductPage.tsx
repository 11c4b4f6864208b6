import * as Sentry from "@sentry/react";
import { useEffect, useState } from "react";
import { useParams } from "react-router-dom";

import { getProduct, getReviews, type Product, type Review } from "../api/products";

export function ProductPage() {
  const { sku = "" } = useParams();
  const [product, setProduct] = useState<Product | null>(null);
  const [reviews, setReviews] = useState<Review[]>([]);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let live = true;
    async function loadProduct() {
      try {
        const p = await getProduct(sku);
        if (live) setProduct(p);
      } catch (err) {
        Sentry.captureException(err);
        if (live) setFailed(true);
      }
    }
    loadProduct();
    getReviews(sku)
      .then((r) => live && setReviews(r))
      .catch(() => undefined); // reviews are optional
    return () => {
      live = false;
    };
  }, [sku]);

  if (failed) {
    return <p className="error">This product is not available right now. Please try again later.</p>;
  }
  if (!product) {
    return <div className="skeleton product" />;
  }
  return (
    <main className="product">
      <h1>{product.name}</h1>
      <p className="brand">{product.brand}</p>
      <p className="price">
        {product.price.amount} {product.price.currency}
      </p>
      <p>{product.description}</p>
      <section className="reviews">
        {reviews.map((r, i) => (
          <article key={i}>
            <h3>{"★".repeat(r.rating)} {r.title}</h3>
            <p>{r.body}</p>
          </article>
        ))}
      </section>
    </main>
  );
}
