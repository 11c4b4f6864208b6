package llmtest

import (
	"encoding/json"
	"net/http"
)

// RejectToolChoice makes the server answer 400 to any request that
// forces a tool (tool_choice naming a function, or "required"), as
// servers without forced tool choice do, and returns s. The request is
// recorded but uses no turn.
func (s *Server) RejectToolChoice() *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectToolChoice = true
	return s
}

// RejectResponseFormat makes the server answer 400 to any request with a
// response_format other than text, and returns s. The request is
// recorded but uses no turn.
func (s *Server) RejectResponseFormat() *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectResponseFormat = true
	return s
}

// Forever answers every request that finds the script exhausted with
// turn (a model that only ever answers in prose, or keeps calling the
// same tool), instead of the "no scripted turn left" error; returns s.
func (s *Server) Forever(turn Turn) *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forever = &turn
	return s
}

// rejects says why the server refuses req ("" when it does not); s.mu is
// held.
func (s *Server) rejects(req Request) string {
	if s.rejectToolChoice {
		if raw, ok := req.Fields["tool_choice"]; ok {
			var mode string
			if json.Unmarshal(raw, &mode) != nil || mode == "required" {
				return "llmtest: this server does not support a forced tool_choice"
			}
		}
	}
	if s.rejectResponseFormat {
		if raw, ok := req.Fields["response_format"]; ok {
			var f struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(raw, &f) == nil && f.Type != "" && f.Type != "text" {
				return "llmtest: response_format " + f.Type + " is not supported"
			}
		}
	}
	return ""
}

// HTML starts a turn that answers 200 with an HTML page (a proxy's login
// or error page, a web UI at the wrong base URL), whatever was asked.
func HTML(page string) Turn {
	return Turn{status: http.StatusOK, errBody: []byte(page)}.Header("Content-Type", "text/html; charset=utf-8")
}

// Headers starts a turn that sends the status line and headers of a 200
// stream, flushed, before anything else: Headers().Hang() is a server
// that stalls once the stream is open.
func Headers() Turn { return Turn{}.Headers() }

// Headers sends the stream's status line and headers now (if not sent
// yet), with no data.
func (t Turn) Headers() Turn { return t.with(step{kind: stepHeaders}) }
