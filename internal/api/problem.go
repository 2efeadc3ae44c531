package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tend-health/tend/internal/errs"
)

var statusOf = map[errs.Kind]int{
	errs.Internal:     http.StatusInternalServerError,
	errs.Invalid:      http.StatusUnprocessableEntity,
	errs.NotFound:     http.StatusNotFound,
	errs.Conflict:     http.StatusConflict,
	errs.Forbidden:    http.StatusForbidden,
	errs.Unauthorized: http.StatusUnauthorized,
	errs.TooMany:      http.StatusTooManyRequests,
	errs.TooLarge:     http.StatusRequestEntityTooLarge,
}

// problem turns a service error into the API's problem+json answer. An
// internal error is logged with the request id, which the answer names, and
// its details never reach the client.
func (s *Server) problem(ctx context.Context, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind == errs.Internal {
		id := requestID(ctx)
		s.Log.ErrorContext(ctx, "request failed", "request_id", id, "err", err)
		return huma.NewError(http.StatusInternalServerError,
			"something went wrong on our side; try again, and if it persists give the administrator request id "+id)
	}
	var details []error
	for _, f := range e.Fields {
		details = append(details, &huma.ErrorDetail{Location: "body." + f.Field, Message: f.Message})
	}
	se := huma.NewError(statusOf[e.Kind], e.Message, details...)
	if e.RetryAfter > 0 {
		h := http.Header{}
		h.Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())+1))
		return huma.ErrorWithHeaders(se, h)
	}
	return se
}

// writeProblem writes a problem+json answer outside huma.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"title": http.StatusText(status), "status": status, "detail": detail,
	})
}
