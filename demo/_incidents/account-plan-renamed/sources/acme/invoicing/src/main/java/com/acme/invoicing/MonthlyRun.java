package com.acme.invoicing;

import io.sentry.Sentry;

public class MonthlyRun {
    private final AccountsClient accounts;
    private final InvoiceBuilder builder;

    public void invoice(String accountId) {
        try {
            var account = accounts.get(accountId);
            var invoice = builder.build(account, usage.forMonth(accountId));
            invoices.save(invoice);
        } catch (IllegalStateException e) {
            Sentry.captureException(e);
            throw e;
        }
    }
}
