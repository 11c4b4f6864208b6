import { useEffect, useRef, useState } from "react";
import type { Cart } from "../api/checkout";

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

/** The order summary column; switches to a compact layout when narrow. */
export function OrderSummary({ cart }: { cart: Cart }) {
  const ref = useRef<HTMLDivElement>(null);
  const [compact, setCompact] = useState(false);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Toggling the layout changes the element's size inside the callback,
    // which the browser reports as "ResizeObserver loop completed with
    // undelivered notifications". Harmless, but noisy.
    const observer = new ResizeObserver(() => setCompact(el.clientWidth < 420));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  return (
    <div ref={ref} className={compact ? "summary summary--compact" : "summary"}>
      {cart.items.map((item) => (
        <div key={item.sku} className="summary__item">
          <img src={item.imageUrl} alt="" width={64} height={64} />
          <span>{item.name}</span>
          <span>× {item.quantity}</span>
          <span>{money.format(item.totalCents / 100)}</span>
        </div>
      ))}
      <div className="summary__total">{money.format(cart.totalCents / 100)}</div>
    </div>
  );
}
