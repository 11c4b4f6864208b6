package com.acme.recs;

import org.springframework.core.env.Environment;

public record RecsSettings(int maxItems, double minScore, String modelPath) {
    public static RecsSettings fromEnvironment(Environment env) {
        int maxItems = env.getProperty("recs.max-items", Integer.class, 0);
        double minScore = env.getProperty("recs.min-score", Double.class, 0.15);
        String modelPath = env.getProperty("recs.model-path", "/models/current.bin");
        return new RecsSettings(maxItems, minScore, modelPath);
    }
}
