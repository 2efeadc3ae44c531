package people

import (
	"context"
	"slices"
)

// Role is one of the hats a user can wear; a user may wear several.
type Role string

// The roles.
const (
	Patient Role = "patient"
	Nurse   Role = "nurse"
	Doctor  Role = "doctor"
	Admin   Role = "admin"
	Family  Role = "family"
)

// Roles lists every role, in the order the web app shows them.
var Roles = []Role{Patient, Nurse, Doctor, Admin, Family}

// Valid tells whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Professional tells whether r is a clinical role.
func (r Role) Professional() bool { return r == Nurse || r == Doctor }

// Principal is the signed-in user behind a request.
type Principal struct {
	UserID string
	Name   string
	Email  string
	Roles  []Role
	// SessionID is the hash of the session cookie when signed in by cookie.
	SessionID string
	// CSRF is the session's anti-forgery token.
	CSRF string
	// TokenID is set when signed in with a personal API token.
	TokenID string
}

// Has tells whether p wears role r.
func (p Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// HasAny tells whether p wears one of rs.
func (p Principal) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if p.Has(r) {
			return true
		}
	}
	return false
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal in ctx, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
