package com.acme.inventory;

import org.springframework.stereotype.Service;

@Service
public class StockService {
    private final WarehouseRepository warehouses;
    private final StockRepository stock;

    public StockService(WarehouseRepository warehouses, StockRepository stock) {
        this.warehouses = warehouses;
        this.stock = stock;
    }

    public Reservation reserve(String sku, int quantity, String warehouseCode) {
        Warehouse warehouse = warehouses.byCode(warehouseCode);
        String region = warehouse.getRegion().code();
        int available = stock.available(sku, warehouse.getId());
        if (available < quantity) {
            throw new OutOfStockException(sku, warehouseCode);
        }
        return stock.reserve(sku, quantity, warehouse.getId(), region);
    }
}
