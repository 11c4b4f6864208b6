package mail

import "fmt"

// RecipientError is a message whose recipient cannot be mailed.
type RecipientError struct{ ID, Reason string }

func (e *RecipientError) Error() string { return fmt.Sprintf("mail: recipient %s %s", e.ID, e.Reason) }

// Composer renders messages from templates.
type Composer struct{ templates *Templates }

// Recipient checks the recipient of m.
func (c *Composer) Recipient(m *Message) (*Recipient, error) {
	if m.Recipient.EmailAddress == "" {
		return nil, &RecipientError{ID: m.Recipient.ID, Reason: "has no email_address"}
	}
	return &m.Recipient, nil
}
