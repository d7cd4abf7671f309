package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/notify"
)

// Hooks is what the outgoing webhooks' page needs of the store.
type Hooks interface {
	CreateWebhook(ctx context.Context, w *notify.Webhook) error
	Webhooks(ctx context.Context) ([]notify.Webhook, error)
	DeleteWebhook(ctx context.Context, id int64, actor string) error
	Deliveries(ctx context.Context, id int64, limit int) ([]notify.Delivery, error)
}

// hooksPage is the data of templates/webhooks.html.
type hooksPage struct {
	Webhooks   []notify.Webhook
	Deliveries []hookDelivery
	Events     []string
	Message    string
}

// hookDelivery is a delivery with where it stands.
type hookDelivery struct {
	notify.Delivery
	State cadre.MailState
}

// hookDeliveries is how many deliveries the page lists.
const hookDeliveries = 200

func (s *Server) hooksPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	page := hooksPage{Events: notify.Events, Message: message}
	var err error
	if page.Webhooks, err = s.store.Webhooks(r.Context()); err != nil {
		s.failPage(w, r, err)
		return
	}
	ds, err := s.store.Deliveries(r.Context(), 0, hookDeliveries)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	for _, d := range ds {
		page.Deliveries = append(page.Deliveries, hookDelivery{Delivery: d, State: d.State()})
	}
	s.renderStatus(w, r, status, "webhooks.html", page)
}

func (s *Server) handleHooksPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hooksPage(w, r, http.StatusOK, "")
	})
}

// handleHooksForm adds (action=add: url, kind, secret, events) or removes
// (action=remove, id) an outgoing webhook.
func (s *Server) handleHooksForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<13)
		if err := r.ParseForm(); err != nil {
			s.hooksPage(w, r, http.StatusBadRequest, "read the form: "+err.Error())
			return
		}
		var err error
		switch r.PostFormValue("action") {
		case "add":
			wh := &notify.Webhook{URL: strings.TrimSpace(r.PostFormValue("url")), Kind: r.PostFormValue("kind"), Secret: r.PostFormValue("secret"),
				Events: r.PostForm["events"], Actor: who(r).actor()}
			err = s.store.CreateWebhook(r.Context(), wh)
		case "remove":
			var id int64
			if id, err = strconv.ParseInt(r.PostFormValue("id"), 10, 64); err == nil {
				err = s.store.DeleteWebhook(r.Context(), id, who(r).actor())
			} else {
				err = cadre.Errorf(cadre.EINVALID, "name the webhook by its number")
			}
		default:
			err = cadre.Errorf(cadre.EINVALID, "action must be add or remove")
		}
		if err != nil {
			s.hooksPage(w, r, statusOf(err), cadre.ErrorMessage(err))
			return
		}
		http.Redirect(w, r, "/webhooks", http.StatusSeeOther)
	})
}
