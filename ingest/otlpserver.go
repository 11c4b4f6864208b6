package ingest

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/tracehound/tracehound/ingest/envelope"
	"github.com/tracehound/tracehound/ingest/otlp"
)

// OTLPTracesPath is where OTLP/HTTP exporters send traces.
const OTLPTracesPath = "/v1/traces"

// google.rpc.Code values the OTLP/HTTP error bodies use.
const (
	codeInvalidArgument   = 3
	codeResourceExhausted = 8
	codeInternal          = 13
	codeUnavailable       = 14
)

// otlpTraces receives an OTLP/HTTP export: a protobuf or JSON
// ExportTraceServiceRequest, gzip (or otherwise) encoded or not. It
// answers as the OTLP specification says: 200 with an
// ExportTraceServiceResponse in the request's encoding (partial_success
// when spans were rejected), 400 with a google.rpc.Status for a body that
// does not decode, 413 over the size limit, 415 for another content type,
// 429 with Retry-After when over the rate.
func (s *Server) otlpTraces(w http.ResponseWriter, r *http.Request) {
	s.otlpCORS(w)
	switch r.Method {
	case http.MethodOptions:
		w.WriteHeader(http.StatusOK)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "POST, OPTIONS")
		s.otlpFail(w, otlp.JSON, http.StatusMethodNotAllowed, codeInvalidArgument, "send traces with POST")
		return
	}
	enc := otlp.MediaType(r.Header.Get("Content-Type"))
	if enc == "" {
		s.otlpFail(w, otlp.JSON, http.StatusUnsupportedMediaType, codeInvalidArgument,
			fmt.Sprintf("unsupported Content-Type %q: send application/x-protobuf or application/json", r.Header.Get("Content-Type")))
		return
	}
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	default:
		s.otlpLimited(w, enc, 1, "too many exports at once")
		return
	}
	if wait, ok := s.rate.take(); !ok {
		s.otlpLimited(w, enc, wait, "over the rate limit")
		return
	}
	body, err := envelope.ReadBody(r, s.opts.MaxBody, s.opts.Limits.MaxEnvelope)
	if err != nil {
		s.log.Warn("rejected an OTLP body", "remote", r.RemoteAddr, "err", err)
		code := envelope.HTTPStatus(err)
		if errors.Is(err, envelope.ErrTooLarge) {
			code = http.StatusRequestEntityTooLarge
		}
		s.otlpFail(w, enc, code, codeInvalidArgument, err.Error())
		return
	}
	td, err := otlp.DecodeRequest(body, enc)
	if err != nil {
		s.log.Warn("rejected malformed OTLP traces", "remote", r.RemoteAddr, "err", err)
		s.otlpFail(w, enc, http.StatusBadRequest, codeInvalidArgument, err.Error())
		return
	}
	rejected, problem, err := s.IngestOTLP(td)
	if err != nil {
		s.log.Error("storing OTLP traces", "err", err)
		s.otlpFail(w, enc, http.StatusServiceUnavailable, codeUnavailable, "storing the traces: "+err.Error())
		return
	}
	resp := ptraceotlp.NewExportResponse()
	if rejected > 0 {
		resp.PartialSuccess().SetRejectedSpans(int64(rejected))
		resp.PartialSuccess().SetErrorMessage(problem)
	}
	var out []byte
	if enc == otlp.JSON {
		out, err = resp.MarshalJSON()
	} else {
		out, err = resp.MarshalProto()
	}
	if err != nil {
		s.otlpFail(w, enc, http.StatusInternalServerError, codeInternal, err.Error())
		return
	}
	w.Header().Set("Content-Type", enc)
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// IngestOTLP stores OTLP traces (logging and reporting each service's
// outcome as an envelope's) and returns how many spans were rejected and
// why, for the partial success answer.
func (s *Server) IngestOTLP(td ptrace.Traces) (rejected int, problem string, err error) {
	return s.store.IngestOTLP(td, func(p Project, out Outcome) {
		for _, e := range out.Errors {
			s.log.Warn("dropped an OTLP item (the others were kept)", "project", p.Slug, "item", e)
		}
		s.log.Info("otlp", "project", p.Slug, "stored", out.Stored)
		if s.opts.OnIngest != nil {
			s.opts.OnIngest(p, out)
		}
	})
}

// IngestOTLP stores OTLP traces: each service's project is created on
// first sight, then its transactions, errors and loose spans are stored as
// an envelope of that project would be (done, when set, is told each
// service's outcome). It returns how many spans were rejected and why.
func (s *Store) IngestOTLP(td ptrace.Traces, done func(Project, Outcome)) (rejected int, problem string, err error) {
	res := otlp.Convert(td)
	rejected, problem = res.Rejected, res.Problem
	for _, svc := range res.Services {
		if len(svc.Items) == 0 {
			continue
		}
		p, err := s.projectBySlug(svc.Slug, svc.Platform)
		if err != nil {
			return rejected, problem, err
		}
		items := make([]Item, 0, len(svc.Items))
		for _, it := range svc.Items {
			items = append(items, Item{Type: it.Type, Payload: it.Payload})
		}
		out, err := s.Ingest(p, "", items)
		if err != nil {
			return rejected, problem, err
		}
		rejected += len(out.Errors)
		if len(out.Errors) > 0 {
			problem = firstNonEmpty(problem, out.Errors[0])
		}
		if done != nil {
			done(p, out)
		}
	}
	return rejected, problem, nil
}

// projectBySlug is the project with this slug, created when the store has
// none yet (read first: creating is a write transaction).
func (s *Store) projectBySlug(slug, platform string) (Project, error) {
	ps, err := s.Projects()
	if err != nil {
		return Project{}, err
	}
	for _, p := range ps {
		if p.Slug == slug {
			return p, nil
		}
	}
	return s.EnsureProject(slug, platform)
}

func (s *Server) otlpCORS(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "content-type, content-encoding")
	h.Set("Access-Control-Expose-Headers", "retry-after")
}

func (s *Server) otlpLimited(w http.ResponseWriter, enc string, wait int, why string) {
	w.Header().Set("Retry-After", fmt.Sprint(wait))
	s.otlpFail(w, enc, http.StatusTooManyRequests, codeResourceExhausted, why)
}

// otlpFail answers an OTLP/HTTP error: a google.rpc.Status in the
// request's encoding.
func (s *Server) otlpFail(w http.ResponseWriter, enc string, httpCode int, rpcCode int32, msg string) {
	st := &rpcstatus.Status{Code: rpcCode, Message: msg}
	var body []byte
	var err error
	if enc == otlp.Protobuf {
		body, err = proto.Marshal(st)
	} else {
		enc = otlp.JSON
		body, err = protojson.Marshal(st)
	}
	if err != nil {
		body, enc = []byte(strings.ReplaceAll(msg, "\n", " ")), "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", enc)
	w.WriteHeader(httpCode)
	w.Write(body)
}
