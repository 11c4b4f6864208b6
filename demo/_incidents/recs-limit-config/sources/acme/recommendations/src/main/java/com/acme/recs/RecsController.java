package com.acme.recs;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class RecsController {
    private final RankingService ranking;

    public RecsController(RankingService ranking) {
        this.ranking = ranking;
    }

    @GetMapping("/v1/recs")
    public List<Item> recs(@RequestParam String user) {
        return ranking.recommend(user);
    }
}
