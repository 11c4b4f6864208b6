class ApplicationRecord < ActiveRecord::Base
  primary_abstract_class

  def self.find_by_code(code)
    ActiveSupport::Deprecation.warn("Coupon.find_by_code is deprecated, use find_by!(code:)")
    find_by(code: code)
  end
end
