package com.acme.recs;

import io.sentry.Sentry;
import io.sentry.SentryLevel;
import java.util.List;

public class Model {
    public List<Item> score(String userId) {
        if (ageHours() > 48) {
            Sentry.captureMessage("recommendation model is " + ageHours() + "h old", SentryLevel.WARNING);
        }
        return weights.score(userId);
    }
}
