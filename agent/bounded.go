package agent

import (
	"errors"
	"fmt"
	"time"
)

// completeBounded runs one model step within the stream's bounds: a step
// whose stream stalled or broke is retried once (a second failure ends
// the run, with a partial report); an answer cut at the output cap is
// kept as cut, and the model is told so before its next step.
func (r *Run) completeBounded() (*Completion, bool, error) {
	if r.cutNote != "" {
		r.addMessage(Message{Role: "user", Content: r.cutNote})
		r.cutNote = ""
	}
	comp, interrupted, err := r.complete()
	if err != nil && retryable(err) && r.ctx.Err() == nil {
		r.publish(Event{Kind: EventNotice, Text: err.Error() + " — retrying the step once"})
		comp, interrupted, err = r.complete()
	}
	if err == nil && comp != nil && comp.Truncated {
		n := comp.OutputCap
		r.publish(Event{Kind: EventNotice, Text: fmt.Sprintf("the model's answer was cut at the output cap (%d tokens)", n)})
		r.cutNote = fmt.Sprintf("Your last answer was cut after about %d tokens, the output limit, and the rest was discarded. Be brief: call one tool at a time, or report what you found with report_root_cause.", n)
	}
	return comp, interrupted, err
}

// retryable reports whether a step's failure is worth one more try: the
// stream stalled, broke or was malformed (the server itself answered;
// openai-go already retried HTTP errors).
func retryable(err error) bool {
	var me *ModelError
	return errors.As(err, &me) && me.StatusCode == 0
}

// waiting tells the user the model has not started answering yet.
func (r *Run) waiting(d time.Duration) {
	r.publish(Event{Kind: EventWaiting, Text: fmt.Sprintf("waiting for the model… %d s", int(d.Seconds()))})
}
