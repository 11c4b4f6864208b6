class Review < ApplicationRecord
  def self.summary_for(sku)
    stats = where(sku: sku).pick(Arel.sql("avg(rating)"), Arel.sql("count(*)"))
    { average: stats[0].round(1), count: stats[1] }
  rescue NoMethodError => e
    Sentry.capture_exception(e)
    { average: nil, count: 0 }
  end
end
