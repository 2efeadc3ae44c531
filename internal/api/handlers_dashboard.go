package api

import (
	"context"

	"github.com/tend-health/tend/internal/dashboard"
)

type dashboardOutput struct{ Body dashboard.Dashboard }

// dashboard answers the caller's dashboard: every patient they may see, at
// a glance, worst first (package dashboard).
func (s *Server) dashboard(ctx context.Context, _ *struct{}) (*dashboardOutput, error) {
	d, err := s.Dashboard.For(ctx, principal(ctx))
	return &dashboardOutput{Body: d}, err
}
