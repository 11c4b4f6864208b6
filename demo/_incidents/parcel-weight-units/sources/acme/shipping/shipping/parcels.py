"""Parcels as the quote API takes them (see docs/api.md: weight in kg, sizes in cm)."""

from shipping import carriers


class ParcelError(ValueError):
    pass


def validate_parcel(parcel):
    weight_kg = float(parcel["weight"])
    limit = carriers.max_weight_kg()
    if weight_kg > limit:
        raise ParcelError("parcel weight %.1f kg exceeds the carrier limit of %.1f kg" % (weight_kg, limit))
    return weight_kg
