package shipping

import "github.com/acme/checkout/internal/cart"

// Parcel is the shipping service's parcel.
type Parcel struct {
	Weight   int `json:"weight"`
	LengthCM int `json:"length_cm"`
	WidthCM  int `json:"width_cm"`
	HeightCM int `json:"height_cm"`
}

// parcelFromCart packs a cart into one standard box.
func parcelFromCart(c *cart.Cart) Parcel {
	grams := 0
	for _, l := range c.Lines {
		grams += l.Product.WeightGrams * l.Quantity
	}
	return Parcel{Weight: grams, LengthCM: 40, WidthCM: 30, HeightCM: 20}
}
