package switchboard

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"

	"github.com/concierge-console/concierge/backend/presence"
)

// withRegMinExpires lets a test phone register for less than regMinExpires.
func withRegMinExpires(d time.Duration) Option { return func(s *Switchboard) { s.regMinExpires = d } }

func registerFor(ctx context.Context, p *testPhone, sbAddr *net.UDPAddr, expiry time.Duration) (*diago.RegisterTransaction, error) {
	uri := sip.Uri{Scheme: "sip", User: p.user, Host: sbAddr.IP.String(), Port: sbAddr.Port}
	tx, err := p.dg.RegisterTransaction(ctx, uri, diago.RegisterOptions{Username: p.user, Password: "pw-" + p.user, Expiry: expiry})
	if err != nil {
		return nil, err
	}
	return tx, tx.Register(ctx)
}

// A phone that unregisters, or lets its binding expire, shows offline from
// the registrar rather than a stale "available"; registering again makes it
// available.
func TestUnregisteredPhoneIsOffline(t *testing.T) {
	hub := presence.New()
	sb := startSwitchboard(t, receptionConfig(), WithCredentials(passwords{"2002": "pw-2002"}),
		WithPresence(hub, BLFConfig{}), withRegMinExpires(time.Second))
	phone := newTestPhone(t, "2002", modeAnswer)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	is := func(what string, st presence.State) {
		t.Helper()
		waitFor(t, 5*time.Second, what, func() bool {
			p := hub.Get("2002")
			return p.State == st && p.Source == "registrar" && !p.Stale
		})
	}

	tx, err := registerFor(ctx, phone, sb.udp, 120*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	is("registered phone available", presence.Available)
	if err := tx.Unregister(ctx); err != nil {
		t.Fatal(err)
	}
	is("unregistered phone offline", presence.Offline)

	if _, err := registerFor(ctx, phone, sb.udp, time.Second); err != nil { // and never refreshed
		t.Fatal(err)
	}
	is("registered again", presence.Available)
	is("binding expired without refresh", presence.Offline)
	if _, ok := sb.reg.lookup("2002"); ok {
		t.Fatal("expired binding still routable")
	}
}
