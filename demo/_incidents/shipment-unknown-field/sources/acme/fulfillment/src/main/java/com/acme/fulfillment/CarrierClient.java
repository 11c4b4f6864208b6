package com.acme.fulfillment;

import io.sentry.Sentry;
import io.sentry.SentryLevel;

public class CarrierClient {
    public void checkLatency(long millis) {
        if (millis > 800) {
            Sentry.captureMessage("carrier API latency high: " + millis + "ms", SentryLevel.WARNING);
        }
    }
}
