// Command switchboard is the headless Concierge switchboard: SIP B2BUA,
// central queues and the HTTPS API that consoles connect to. Pure Go; build
// with CGO_ENABLED=0.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/concierge-console/concierge/backend/server"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		sip    = flag.String("sip", "0.0.0.0:5060", "SIP listen address, UDP and TCP")
		httpA  = flag.String("http", "0.0.0.0:8443", "HTTPS API listen address")
		data   = flag.String("data", "/var/lib/concierge", "data directory (database, TLS certificate)")
		config = flag.String("config", "", "site configuration file (JSON: realm, queues, pbx); default: one queue \"reception\"")
		debug  = flag.Bool("debug", false, "verbose logs")
	)
	flag.Parse()
	log := server.NewLogger(os.Stderr, *debug)

	site, err := server.LoadSite(*config)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.Start(ctx, server.Config{
		DataDir: *data, HTTPAddr: *httpA, SIPAddr: *sip, Site: site, Logger: log,
		AdminPassword: os.Getenv("CONCIERGE_ADMIN_PASSWORD"),
	})
	if err != nil {
		return err
	}
	// Scripts and tests read this line to find ephemeral ports.
	fmt.Printf("switchboard: api %s sip %s tls-sha256 %s\n", srv.URL(), srv.SIPAddr(), srv.Fingerprint())
	<-ctx.Done()
	log.Info("switchboard: shutting down")
	return srv.Close()
}
