class Coupon < ApplicationRecord
  # kind: "percent" (percent_off of the eligible lines) or "per_item"
  # (amount_off_cents spread over the eligible items).
  def discount_for(lines)
    eligible = lines.select { |l| skus.include?(l["sku"]) }
    case kind
    when "percent" then eligible.sum { |l| l["unit_price_cents"] * l["quantity"] } * percent_off / 100
    when "per_item" then per_item_discount(eligible)
    end
  end

  private

  def per_item_discount(eligible)
    items = eligible.sum { |l| l["quantity"] }
    amount_off_cents / items * items
  end
end
