package mail

// Message is POST /v1/messages.
type Message struct {
	Template  string         `json:"template"`
	Recipient Recipient      `json:"recipient"`
	Vars      map[string]any `json:"vars"`
}

// Recipient is who a message goes to.
type Recipient struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	EmailAddress string `json:"email_address"`
}
