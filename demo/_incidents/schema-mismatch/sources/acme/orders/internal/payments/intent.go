// Package payments is the client of the payments service.
package payments

import "github.com/shopspring/decimal"

// Order is what a payment intent needs to know about an order.
type Order struct {
	ID              string
	CustomerID      string
	Currency        string
	Total           decimal.Decimal
	PaymentMethodID string
}

// IntentRequest is the body of POST /v1/payment-intents.
type IntentRequest struct {
	OrderID         string `json:"order_id"`
	Amount          string `json:"amount"`
	Currency        string `json:"currency"`
	PaymentMethodID string `json:"payment_method_id"`
	CustomerID      string `json:"customer_id"`
}

// NewIntentRequest is the payment intent request for an order. The amount
// is a decimal string in the order's currency, so currencies with 0 or 3
// decimals need no special case.
func NewIntentRequest(o Order) IntentRequest {
	return IntentRequest{
		OrderID:         o.ID,
		Amount:          o.Total.StringFixedBank(minorDigits(o.Currency)),
		Currency:        o.Currency,
		PaymentMethodID: o.PaymentMethodID,
		CustomerID:      o.CustomerID,
	}
}

// minorDigits is the number of decimals of a currency (ISO 4217).
func minorDigits(currency string) int32 {
	switch currency {
	case "JPY", "KRW", "ISK":
		return 0
	case "KWD", "BHD", "JOD", "OMR", "TND":
		return 3
	default:
		return 2
	}
}
