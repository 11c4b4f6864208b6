class ApplicationsController < ApplicationController
  def create
    coupon = Coupon.find_by!(code: params.require(:code))
    discount = coupon.discount_for(params.require(:lines))
    render json: { code: coupon.code, discount_cents: discount }
  end
end
