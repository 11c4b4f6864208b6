package com.acme.index;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class QueryController {
    private final Searcher searcher;

    public QueryController(Searcher searcher) {
        this.searcher = searcher;
    }

    @PostMapping("/v2/query")
    public QueryResult query(@RequestBody QueryRequest request) {
        return searcher.search(request.text(), request.limit());
    }
}
