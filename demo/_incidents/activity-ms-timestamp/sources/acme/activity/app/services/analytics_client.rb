class AnalyticsClient
  class Error < StandardError; end

  def publish(event)
    resp = http.post("/v1/events", event.to_payload.to_json, "Content-Type" => "application/json")
    raise Error, "analytics answered #{resp.code}: #{resp.body.to_s[0, 200]}" if resp.code.to_i >= 400
    resp
  end
end
