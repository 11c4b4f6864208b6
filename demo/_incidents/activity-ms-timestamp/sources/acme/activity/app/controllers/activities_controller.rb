class ActivitiesController < ApplicationController
  def create
    event = ActivityEvent.create!(customer: current_customer, kind: params[:type], sku: params[:sku])
    AnalyticsClient.new.publish(event)
    head :accepted
  rescue AnalyticsClient::Error => e
    Sentry.capture_exception(e)
    render json: { error: "analytics_unavailable" }, status: :bad_gateway
  end
end
