class ActivityEvent < ApplicationRecord
  belongs_to :customer

  # The event as the analytics API takes it.
  def to_payload
    {
      type: kind,
      customer_id: customer.public_id,
      sku: sku,
      occurred_at: (created_at.to_f * 1000).to_i,
      source: "storefront"
    }
  end
end
