class Review < ApplicationRecord
  def self.top_for(sku)
    where(sku: sku, published: true).order(helpful_count: :desc).limit(5).to_a
  rescue ActiveRecord::QueryCanceled => e
    Sentry.capture_exception(e)
    []
  end
end
