package com.acme.recs;

import java.util.List;

public class RankingService {
    private final RecsSettings settings;
    private final Model model;

    public RankingService(RecsSettings settings, Model model) {
        this.settings = settings;
        this.model = model;
    }

    public List<Item> recommend(String userId) {
        return topN(model.score(userId), settings.maxItems());
    }

    static List<Item> topN(List<Item> scored, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return scored.stream().sorted().limit(limit).toList();
    }
}
