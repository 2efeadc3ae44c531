package api

import (
	"context"
	"net/http"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/people"
)

type loginInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254"`
		Password string `json:"password" maxLength:"1024"`
	}
}

type loginOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      struct {
		User      people.User `json:"user"`
		CSRFToken string      `json:"csrfToken"`
	}
}

func (s *Server) cookie(name, value string, httpOnly bool, maxAge int) http.Cookie {
	return http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: httpOnly, Secure: s.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: maxAge}
}

func (s *Server) login(ctx context.Context, in *loginInput) (*loginOutput, error) {
	o := audit.OriginFrom(ctx)
	sess, err := s.People.Login(ctx, in.Body.Email, in.Body.Password, o.IP, o.UserAgent)
	if err != nil {
		actor := ""
		if u, uerr := s.People.ByEmail(ctx, in.Body.Email); uerr == nil {
			actor = u.ID
		}
		s.Audit.Record(ctx, audit.Event{Action: "auth.login", Outcome: audit.Failure, ActorID: actor, Detail: err.Error()})
		return nil, err
	}
	s.Audit.Record(ctx, audit.Event{Action: "auth.login", Outcome: audit.Success, ActorID: sess.User.ID})
	out := &loginOutput{SetCookie: []http.Cookie{
		s.cookie(sessionCookie, sess.Token, true, 0),
		s.cookie(csrfCookie, sess.CSRF, false, 0),
	}}
	out.Body.User, out.Body.CSRFToken = sess.User, sess.CSRF
	return out, nil
}

type cookiesOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
}

func (s *Server) logout(ctx context.Context, _ *struct{}) (*cookiesOutput, error) {
	p := principal(ctx)
	if p.SessionID != "" {
		if err := s.People.Logout(ctx, p.SessionID); err != nil {
			return nil, err
		}
	}
	s.Audit.Record(ctx, audit.Event{Action: "auth.logout", Outcome: audit.Success})
	return &cookiesOutput{SetCookie: []http.Cookie{
		s.cookie(sessionCookie, "", true, -1), s.cookie(csrfCookie, "", false, -1),
	}}, nil
}

// principal returns the signed-in caller; enforce guarantees one on every
// route that is not public.
func principal(ctx context.Context) people.Principal {
	p, _ := people.FromContext(ctx)
	return p
}

type userOutput struct{ Body people.User }

func (s *Server) me(ctx context.Context, _ *struct{}) (*userOutput, error) {
	u, err := s.People.Get(ctx, principal(ctx).UserID)
	return &userOutput{Body: u}, err
}

type passwordInput struct {
	Body struct {
		CurrentPassword string `json:"currentPassword"`
		NewPassword     string `json:"newPassword"`
	}
}

func (s *Server) changePassword(ctx context.Context, in *passwordInput) (*struct{}, error) {
	err := s.People.ChangePassword(ctx, principal(ctx), in.Body.CurrentPassword, in.Body.NewPassword)
	outcome := audit.Success
	if err != nil {
		outcome = audit.Failure
	}
	s.Audit.Record(ctx, audit.Event{Action: "me.password", Outcome: outcome})
	return nil, err
}

type tokensOutput struct {
	Body struct {
		Tokens []people.Token `json:"tokens"`
	}
}

func (s *Server) listTokens(ctx context.Context, _ *struct{}) (*tokensOutput, error) {
	ts, err := s.People.Tokens(ctx, principal(ctx).UserID)
	out := &tokensOutput{}
	out.Body.Tokens = ts
	return out, err
}

type tokenInput struct {
	Body struct {
		Label string `json:"label" maxLength:"100" doc:"What the token is for"`
	}
}

type tokenOutput struct{ Body people.Token }

func (s *Server) createToken(ctx context.Context, in *tokenInput) (*tokenOutput, error) {
	t, err := s.People.CreateToken(ctx, principal(ctx).UserID, in.Body.Label)
	if err == nil {
		s.Audit.Record(ctx, audit.Event{Action: "tokens.create", Resource: "tokens/" + t.ID, Outcome: audit.Success})
	}
	return &tokenOutput{Body: t}, err
}

type tokenIDInput struct {
	TokenID string `path:"tokenId"`
}

func (s *Server) revokeToken(ctx context.Context, in *tokenIDInput) (*struct{}, error) {
	err := s.People.RevokeToken(ctx, principal(ctx).UserID, in.TokenID)
	if err == nil {
		s.Audit.Record(ctx, audit.Event{Action: "tokens.revoke", Resource: "tokens/" + in.TokenID, Outcome: audit.Success})
	}
	return nil, err
}
