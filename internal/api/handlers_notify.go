package api

// Notifications: the caller's inbox and how notifications reach them, and,
// for administrators, the webhooks that carry events to integrations.

import (
	"context"

	"github.com/tend-health/tend/internal/notify"
)

type inboxInput struct {
	Limit int `query:"limit" minimum:"0" maximum:"500" doc:"At most this many, newest first (default 50)"`
}

type inboxOutput struct {
	Body struct {
		Notifications []notify.Notification `json:"notifications"`
		Unread        int                   `json:"unread" doc:"How many of all my notifications are unread, not only of those listed"`
	}
}

func (s *Server) inbox(ctx context.Context, in *inboxInput) (*inboxOutput, error) {
	me := principal(ctx).UserID
	ns, err := s.Notify.Inbox(ctx, me, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &inboxOutput{}
	out.Body.Notifications = orEmpty(ns)
	out.Body.Unread, err = s.Notify.Unread(ctx, me)
	return out, err
}

type notificationIDInput struct {
	NotificationID string `path:"notificationId"`
}

func (s *Server) markNotificationRead(ctx context.Context, in *notificationIDInput) (*struct{}, error) {
	return nil, s.Notify.MarkRead(ctx, principal(ctx).UserID, in.NotificationID)
}

func (s *Server) markAllNotificationsRead(ctx context.Context, _ *struct{}) (*struct{}, error) {
	return nil, s.Notify.MarkAllRead(ctx, principal(ctx).UserID)
}

type preferencesOutput struct{ Body notify.Preferences }

func (s *Server) notificationPreferences(ctx context.Context, _ *struct{}) (*preferencesOutput, error) {
	p, err := s.Notify.Preferences(ctx, principal(ctx).UserID)
	return &preferencesOutput{Body: p}, err
}

type setPreferencesInput struct {
	Body notify.Preferences
}

func (s *Server) setNotificationPreferences(ctx context.Context, in *setPreferencesInput) (*preferencesOutput, error) {
	p, err := s.Notify.SetPreferences(ctx, principal(ctx).UserID, in.Body)
	return &preferencesOutput{Body: p}, err
}

// Webhooks, for administrators.

type webhooksOutput struct {
	Body struct {
		Webhooks []notify.Webhook `json:"webhooks" doc:"Without their secrets"`
	}
}

func (s *Server) listWebhooks(ctx context.Context, _ *struct{}) (*webhooksOutput, error) {
	ws, err := s.Notify.Webhooks(ctx)
	out := &webhooksOutput{}
	out.Body.Webhooks = orEmpty(ws)
	return out, err
}

type addWebhookInput struct {
	Body struct {
		URL         string   `json:"url" maxLength:"2000" doc:"Receives a signed POST per event; http or https"`
		Kinds       []string `json:"kinds" minItems:"1" doc:"Kinds to send: exact (alert.opened), families (alert.*) or * for all" example:"[\"alert.*\"]"`
		Description string   `json:"description,omitempty" maxLength:"500"`
		Secret      string   `json:"secret,omitempty" maxLength:"200" doc:"The signing secret, at least 24 characters; by default Tend makes one and shows it once in the answer"`
	}
}

type webhookOutput struct{ Body notify.Webhook }

func (s *Server) addWebhook(ctx context.Context, in *addWebhookInput) (*webhookOutput, error) {
	w, err := s.Notify.AddWebhook(ctx, notify.Webhook{URL: in.Body.URL, Kinds: in.Body.Kinds,
		Description: in.Body.Description, Secret: in.Body.Secret})
	return &webhookOutput{Body: w}, err
}

type webhookIDInput struct {
	WebhookID string `path:"webhookId"`
}

func (s *Server) removeWebhook(ctx context.Context, in *webhookIDInput) (*struct{}, error) {
	return nil, s.Notify.RemoveWebhook(ctx, in.WebhookID)
}
