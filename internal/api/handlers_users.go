package api

import (
	"context"
	"time"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/people"
)

type listUsersInput struct {
	Q    string `query:"q" doc:"Part of the name or email"`
	Role string `query:"role" enum:"patient,nurse,doctor,admin,family,"`
}

type usersOutput struct {
	Body struct {
		Users []people.User `json:"users"`
	}
}

func (s *Server) listUsers(ctx context.Context, in *listUsersInput) (*usersOutput, error) {
	us, err := s.People.List(ctx, people.Filter{Q: in.Q, Role: people.Role(in.Role)})
	out := &usersOutput{}
	out.Body.Users = us
	return out, err
}

type createUserInput struct{ Body people.NewUser }

func (s *Server) createUser(ctx context.Context, in *createUserInput) (*userOutput, error) {
	u, err := s.People.Create(ctx, in.Body)
	return &userOutput{Body: u}, err
}

type userIDInput struct {
	UserID string `path:"userId"`
}

func (s *Server) getUser(ctx context.Context, in *userIDInput) (*userOutput, error) {
	u, err := s.People.Get(ctx, in.UserID)
	return &userOutput{Body: u}, err
}

type updateUserInput struct {
	UserID string `path:"userId"`
	Body   people.Patch
}

func (s *Server) updateUser(ctx context.Context, in *updateUserInput) (*userOutput, error) {
	if in.UserID == principal(ctx).UserID && in.Body.Disabled != nil && *in.Body.Disabled {
		return nil, errsField("disabled", "you cannot disable your own account")
	}
	u, err := s.People.Update(ctx, in.UserID, in.Body)
	return &userOutput{Body: u}, err
}

type auditInput struct {
	PatientID string    `query:"patientId"`
	ActorID   string    `query:"actorId"`
	Action    string    `query:"action"`
	Before    time.Time `query:"before" doc:"Only events before this time, for paging"`
	Limit     int       `query:"limit" minimum:"0" maximum:"1000"`
}

type auditOutput struct {
	Body struct {
		Events []audit.Entry `json:"events"`
	}
}

func (s *Server) listAudit(ctx context.Context, in *auditInput) (*auditOutput, error) {
	es, err := s.Audit.List(ctx, audit.Query{PatientID: in.PatientID, ActorID: in.ActorID, Action: in.Action, Before: in.Before, Limit: in.Limit})
	out := &auditOutput{}
	out.Body.Events = es
	return out, err
}
