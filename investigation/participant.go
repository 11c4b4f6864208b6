package investigation

import "github.com/tracehound/tracehound/agent"

// Participant is someone taking part in an investigation: the person at
// the terminal, or (later) a guest of a shared session. Front ends make
// participants in-process; the investigation trusts their flags.
type Participant struct {
	// ID is unique within the investigation ("local", "ssh:ana").
	ID string
	// Name is shown with what they did ("you", "ana"): user messages and
	// decisions carry it.
	Name string
	// CanApprove lets them answer approval requests.
	CanApprove bool
	// CanMessage lets them message the agent (redirects, follow-ups).
	CanMessage bool
}

// LocalUser is the person at the terminal that opened the investigation:
// allowed to approve and to message.
var LocalUser = Participant{ID: "local", Name: "you", CanApprove: true, CanMessage: true}

func (p Participant) label() string {
	if p.Name != "" {
		return p.Name
	}
	if p.ID != "" {
		return p.ID
	}
	return "an unnamed participant"
}

// HeadlessDenyReason is what a headless run tells the model when it
// proposes a change.
const HeadlessDenyReason = "this is a headless run: changes are not applied without a person; the proposed change goes into the report. Finish the investigation."

// agentPolicy is the run's policy: a person answers (approval requests on
// the bus), or, headless, read-only calls are approved and writing calls
// denied.
func (p Policy) agentPolicy() agent.Policy {
	ap := agent.Policy{AskReadOnly: p.AskReadOnly}
	if p.Headless {
		reason := p.DenyReason
		if reason == "" {
			reason = HeadlessDenyReason
		}
		ap.Decide = func(c agent.Call) agent.Decision {
			if c.ReadOnly {
				return agent.Decision{Kind: agent.ApproveOnce}
			}
			return agent.Decision{Kind: agent.Deny, Reason: reason}
		}
	}
	return ap
}
