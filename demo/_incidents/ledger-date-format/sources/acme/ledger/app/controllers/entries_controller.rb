class EntriesController < ApplicationController
  def create
    entry = EntryImporter.new(entry_params).call
    render json: { id: entry.id }, status: :created
  rescue Date::Error, KeyError => e
    Rails.logger.warn("rejecting ledger entry for invoice #{params[:invoice_id]}: #{e.message}")
    Sentry.capture_exception(e)
    render json: { error: "invalid_entry", detail: e.message }, status: :unprocessable_entity
  end

  private

  def entry_params
    params.permit(:invoice_id, :customer_id, :amount_cents, :currency, :due_date, :memo).to_h
  end
end
