package com.acme.fulfillment;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class ShipmentController {
    private final Shipments shipments;

    public ShipmentController(Shipments shipments) {
        this.shipments = shipments;
    }

    @PostMapping("/v1/shipments")
    public Shipment create(@RequestBody ShipmentRequest request) {
        return shipments.create(request);
    }
}
