package com.acme.fulfillment;

public record ShipmentLine(String sku, int quantity) {}
