package people_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

const pw = "correct horse battery"

func setup(t *testing.T, d *db.DB) (*people.Service, *clock.Fake, people.User) {
	t.Helper()
	c := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	s := people.NewService(d, c)
	u, err := s.Create(context.Background(), people.NewUser{Email: " Ann@Example.org ", Name: "Ann Berg",
		Roles: []people.Role{people.Patient, people.Doctor}, Password: pw,
		Profile: &people.Profile{BirthDate: "1950-02-03", Sex: "female", TimeZone: "Europe/Oslo", MRN: "MRN-1"}})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, u
}

func TestCreateAndRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _, u := setup(t, d)
		ctx := context.Background()
		if u.Email != "ann@example.org" {
			t.Errorf("email not normalised: %q", u.Email)
		}
		got, err := s.ByEmail(ctx, "ANN@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || len(got.Roles) != 2 || got.Roles[0] != people.Patient || got.Profile == nil || got.Profile.TimeZone != "Europe/Oslo" {
			t.Errorf("read back %+v", got)
		}
		bad := []people.NewUser{
			{Email: "not-an-email", Name: "X", Roles: []people.Role{people.Nurse}},
			{Email: "x@example.org", Name: " ", Roles: []people.Role{people.Nurse}},
			{Email: "x@example.org", Name: "X"},
			{Email: "x@example.org", Name: "X", Roles: []people.Role{"surgeon"}},
			{Email: "x@example.org", Name: "X", Roles: []people.Role{people.Nurse}, Password: "short"},
			{Email: "ann@example.org", Name: "X", Roles: []people.Role{people.Nurse}},
			{Email: "y@example.org", Name: "Y", Roles: []people.Role{people.Patient}, Profile: &people.Profile{TimeZone: "Mars/Base"}},
			{Email: "y@example.org", Name: "Y", Roles: []people.Role{people.Patient}, Profile: &people.Profile{BirthDate: "03/02/1950"}},
			{Email: "y@example.org", Name: "Y", Roles: []people.Role{people.Patient}, Profile: &people.Profile{MRN: "MRN-1"}},
		}
		for _, n := range bad {
			if _, err := s.Create(ctx, n); !errs.Is(err, errs.Invalid) {
				t.Errorf("Create(%+v) = %v, want an Invalid error", n, err)
			}
		}
		list, err := s.List(ctx, people.Filter{Role: people.Doctor, Q: "berg"})
		if err != nil || len(list) != 1 {
			t.Errorf("List = %v, %v", list, err)
		}
	})
}

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c, _ := setup(t, d)
		ctx := context.Background()
		login := func() string {
			sess, err := s.Login(ctx, "ann@example.org", pw, "10.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			return sess.Token
		}
		// Idle: used every 20 minutes, the session lives on; 31 idle minutes end it.
		tok := login()
		for i := 0; i < 5; i++ {
			c.Advance(20 * time.Minute)
			if _, err := s.SessionPrincipal(ctx, tok); err != nil {
				t.Fatalf("session ended after %d active intervals: %v", i+1, err)
			}
		}
		// Checks made for the user (a live tab) are not use.
		for i := 0; i < 3; i++ {
			c.Advance(10*time.Minute + time.Second)
			if _, err := s.CheckSession(ctx, tok); i < 2 && err != nil {
				t.Fatalf("check %d: %v", i, err)
			}
		}
		if _, err := s.SessionPrincipal(ctx, tok); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("idle session still valid: %v", err)
		}
		// Absolute: however busy, a session ends 12 hours after login.
		tok = login()
		for elapsed := time.Duration(0); elapsed < 12*time.Hour; elapsed += 15 * time.Minute {
			if _, err := s.SessionPrincipal(ctx, tok); err != nil {
				t.Fatalf("session ended early at %v: %v", elapsed, err)
			}
			c.Advance(15 * time.Minute)
		}
		c.Advance(time.Minute)
		if _, err := s.SessionPrincipal(ctx, tok); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("session outlived the absolute timeout: %v", err)
		}
		// Logout really ends it; each login gets a new session id.
		a, b := login(), login()
		if a == b {
			t.Fatal("two logins got the same session")
		}
		p, _ := s.SessionPrincipal(ctx, a)
		if err := s.Logout(ctx, p.SessionID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionPrincipal(ctx, a); err == nil {
			t.Fatal("session alive after logout")
		}
		if _, err := s.SessionPrincipal(ctx, b); err != nil {
			t.Fatal("logout ended another session")
		}
	})
}

func TestLoginThrottling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c, _ := setup(t, d)
		ctx := context.Background()
		for i := 0; i < people.AccountFailureLimit; i++ {
			if _, err := s.Login(ctx, "ann@example.org", "wrong password!", "10.0.0.2", ""); !errs.Is(err, errs.Unauthorized) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		// Now even the right password is refused, until the window passes.
		_, err := s.Login(ctx, "ann@example.org", pw, "10.0.0.3", "")
		if !errs.Is(err, errs.TooMany) {
			t.Fatalf("throttled login: %v", err)
		}
		c.Advance(people.FailureWindow + time.Second)
		if _, err := s.Login(ctx, "ann@example.org", pw, "10.0.0.3", ""); err != nil {
			t.Fatalf("login after the window: %v", err)
		}
		// Per address: many accounts tried from one address.
		for i := 0; i < people.AddressFailureLimit; i++ {
			email := fmt.Sprintf("guess%d@example.org", i)
			if _, err := s.Login(ctx, email, "wrong password!", "10.9.9.9", ""); !errs.Is(err, errs.Unauthorized) {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if _, err := s.Login(ctx, "ann@example.org", pw, "10.9.9.9", ""); !errs.Is(err, errs.TooMany) {
			t.Fatalf("address not throttled: %v", err)
		}
		if _, err := s.Login(ctx, "ann@example.org", pw, "10.0.0.4", ""); err != nil {
			t.Fatalf("another address throttled too: %v", err)
		}
	})
}

func TestTokensAndDisabling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _, u := setup(t, d)
		ctx := context.Background()
		tok, err := s.CreateToken(ctx, u.ID, "script")
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.TokenPrincipal(ctx, tok.Token)
		if err != nil || p.UserID != u.ID {
			t.Fatalf("token principal %+v %v", p, err)
		}
		list, _ := s.Tokens(ctx, u.ID)
		if len(list) != 1 || list[0].Token != "" {
			t.Fatalf("listed tokens must not show the secret: %+v", list)
		}
		if err := s.RevokeToken(ctx, u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenPrincipal(ctx, tok.Token); err == nil {
			t.Fatal("revoked token accepted")
		}
		tok2, _ := s.CreateToken(ctx, u.ID, "another")
		sess, _ := s.Login(ctx, u.Email, pw, "", "")
		yes := true
		if _, err := s.Update(ctx, u.ID, people.Patch{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenPrincipal(ctx, tok2.Token); err == nil {
			t.Error("a disabled user's token still works")
		}
		if _, err := s.SessionPrincipal(ctx, sess.Token); err == nil {
			t.Error("a disabled user's session still works")
		}
		if _, err := s.Login(ctx, u.Email, pw, "", ""); !errs.Is(err, errs.Forbidden) {
			t.Errorf("disabled user logged in: %v", err)
		}
	})
}

func TestChangePassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _, u := setup(t, d)
		ctx := context.Background()
		a, _ := s.Login(ctx, u.Email, pw, "", "")
		b, _ := s.Login(ctx, u.Email, pw, "", "")
		pa, _ := s.SessionPrincipal(ctx, a.Token)
		if err := s.ChangePassword(ctx, pa, "wrong", "a brand new password"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("wrong current password: %v", err)
		}
		if err := s.ChangePassword(ctx, pa, pw, "a brand new password"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionPrincipal(ctx, a.Token); err != nil {
			t.Error("the session that changed the password was ended")
		}
		if _, err := s.SessionPrincipal(ctx, b.Token); err == nil {
			t.Error("other sessions survived a password change")
		}
		if _, err := s.Login(ctx, u.Email, "a brand new password", "", ""); err != nil {
			t.Error(err)
		}
	})
}

func TestPasswordHash(t *testing.T) {
	h, err := people.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !people.VerifyPassword(h, pw) || people.VerifyPassword(h, pw+"x") || people.VerifyPassword("garbage", pw) {
		t.Fatal("password verification is wrong")
	}
}
