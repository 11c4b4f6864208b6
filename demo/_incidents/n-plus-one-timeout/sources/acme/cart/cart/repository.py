"""Carts and their lines, enriched with product data for display."""

from cart import db

PRODUCT_SQL = (
    "SELECT p.sku, p.name, p.image_url, pl.unit_price_cents, p.tax_class, coalesce(s.on_hand, 0) AS on_hand "
    "FROM products p JOIN price_lists pl ON pl.sku = p.sku AND pl.list = 'retail' "
    "LEFT JOIN stock s ON s.sku = p.sku WHERE p.sku = %s"
)


def load_cart(cart_id: str, include_items: bool = True) -> dict | None:
    with db.pool.connection() as conn:
        cart = db.fetch_one(conn, "SELECT id, customer_id, currency, updated_at FROM carts WHERE id = %s", (cart_id,))
        if cart is None:
            return None
        cart["lines"] = load_cart_items(conn, cart["id"]) if include_items else []
    return cart


def load_cart_items(conn, cart_id: str) -> list[dict]:
    lines = db.fetch_all(
        conn, "SELECT sku, quantity, added_at FROM cart_lines WHERE cart_id = %s ORDER BY added_at", (cart_id,)
    )
    items = []
    for line in lines:
        product = db.fetch_one(conn, PRODUCT_SQL, (line["sku"],))
        if product is None:
            continue  # delisted since it was added
        items.append(
            {
                "sku": line["sku"],
                "quantity": line["quantity"],
                "name": product["name"],
                "image_url": product["image_url"],
                "unit_price_cents": product["unit_price_cents"],
                "in_stock": product["on_hand"] >= line["quantity"],
            }
        )
    return items
