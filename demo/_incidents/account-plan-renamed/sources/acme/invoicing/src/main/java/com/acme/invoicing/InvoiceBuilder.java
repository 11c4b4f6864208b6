package com.acme.invoicing;

import com.fasterxml.jackson.databind.JsonNode;

public class InvoiceBuilder {
    private final PlanCatalog plans;

    public InvoiceBuilder(PlanCatalog plans) {
        this.plans = plans;
    }

    public Invoice build(JsonNode account, Usage usage) {
        JsonNode plan = account.get("plan");
        if (plan == null || plan.isNull()) {
            throw new IllegalStateException("account " + account.get("id").asText() + " has no plan");
        }
        return new Invoice(account.get("id").asText(), plans.price(plan.asText(), usage), account.get("currency").asText());
    }
}
