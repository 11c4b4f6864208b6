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
	AmountCents     int64  `json:"amount_cents"`
	Currency        string `json:"currency"`
	PaymentMethodID string `json:"payment_method_id"`
	CustomerID      string `json:"customer_id"`
}

// NewIntentRequest is the payment intent request for an order.
func NewIntentRequest(o Order) IntentRequest {
	return IntentRequest{
		OrderID:         o.ID,
		AmountCents:     o.Total.Shift(2).IntPart(),
		Currency:        o.Currency,
		PaymentMethodID: o.PaymentMethodID,
		CustomerID:      o.CustomerID,
	}
}
