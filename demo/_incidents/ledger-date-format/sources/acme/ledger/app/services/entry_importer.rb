# Turns a settlement posted by billing into a double-entry ledger record.
class EntryImporter
  def initialize(params)
    @params = params
  end

  def call
    LedgerEntry.create!(
      invoice_id: @params.fetch("invoice_id"),
      customer_id: @params.fetch("customer_id"),
      amount_cents: Integer(@params.fetch("amount_cents")),
      currency: @params.fetch("currency"),
      due_on: parse_due(@params.fetch("due_date")),
      memo: @params["memo"]
    )
  end

  private

  # The API takes ISO 8601 dates (YYYY-MM-DD), see docs/api.md.
  def parse_due(raw)
    Date.iso8601(raw)
  end
end
