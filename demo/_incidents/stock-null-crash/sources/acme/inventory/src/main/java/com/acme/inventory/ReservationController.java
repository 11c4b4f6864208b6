package com.acme.inventory;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class ReservationController {
    private final StockService stockService;

    public ReservationController(StockService stockService) {
        this.stockService = stockService;
    }

    @PostMapping("/v1/reservations")
    public Reservation reserve(@RequestBody ReservationRequest request) {
        return stockService.reserve(request.sku(), request.quantity(), request.warehouse());
    }
}
