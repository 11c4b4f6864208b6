package com.acme.inventory;

public class Warehouse {
    private long id;
    private String code;
    private Region region; // null until the warehouse is assigned to a region

    public long getId() { return id; }
    public String getCode() { return code; }
    public Region getRegion() { return region; }
}
