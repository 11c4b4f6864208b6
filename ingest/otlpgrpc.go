package ingest

import (
	"context"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// otlpGRPC is the OTLP/gRPC TraceService: the same mapping and the same
// store as OTLP/HTTP.
type otlpGRPC struct {
	ptraceotlp.UnimplementedGRPCServer
	s *Server
}

// Export stores an export and answers with its partial success.
func (g *otlpGRPC) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	select {
	case g.s.sem <- struct{}{}:
		defer func() { <-g.s.sem }()
	default:
		return ptraceotlp.NewExportResponse(), status.Error(codes.ResourceExhausted, "too many exports at once")
	}
	if _, ok := g.s.rate.take(); !ok {
		return ptraceotlp.NewExportResponse(), status.Error(codes.ResourceExhausted, "over the rate limit")
	}
	rejected, problem, err := g.s.IngestOTLP(req.Traces())
	if err != nil {
		g.s.log.Error("storing OTLP/gRPC traces", "err", err)
		return ptraceotlp.NewExportResponse(), status.Error(codes.Unavailable, "storing the traces: "+err.Error())
	}
	resp := ptraceotlp.NewExportResponse()
	if rejected > 0 {
		resp.PartialSuccess().SetRejectedSpans(int64(rejected))
		resp.PartialSuccess().SetErrorMessage(problem)
	}
	return resp, nil
}

// ServeOTLPGRPC serves OTLP/gRPC traces on ln until ctx ends. Messages
// are bounded by the same size limit as HTTP bodies.
func (s *Server) ServeOTLPGRPC(ctx context.Context, ln net.Listener) error {
	gs := grpc.NewServer(grpc.MaxRecvMsgSize(int(s.opts.Limits.MaxEnvelope)))
	ptraceotlp.RegisterGRPCServer(gs, &otlpGRPC{s: s})
	go func() {
		<-ctx.Done()
		gs.GracefulStop()
	}()
	err := gs.Serve(ln)
	if err == grpc.ErrServerStopped {
		return nil
	}
	return err
}
