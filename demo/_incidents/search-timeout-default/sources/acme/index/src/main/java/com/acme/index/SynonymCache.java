package com.acme.index;

import io.sentry.Sentry;
import io.sentry.SentryLevel;

public class SynonymCache {
    public java.util.List<String> expand(String term) {
        if (stale()) {
            Sentry.captureMessage("synonym cache is stale, serving the previous generation", SentryLevel.WARNING);
        }
        return lookup(term);
    }
}
