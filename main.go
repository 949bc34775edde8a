// Command concierge is the attendant console: a Wails desktop window, or with
// --headless the same front-end and services served to a browser. With no
// --server it runs the switchboard in-process (the embedded default).
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/concierge-console/concierge/app"
	"github.com/concierge-console/concierge/backend/cache"
	"github.com/concierge-console/concierge/backend/console"
	"github.com/concierge-console/concierge/backend/demo"
	"github.com/concierge-console/concierge/backend/server"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

var version = "dev"

// instanceID names the single running console (Wails' SingleInstanceLock).
const instanceID = "org.concierge.console"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "concierge:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		headless    = flag.Bool("headless", false, "serve the console to a browser instead of opening a window")
		listen      = flag.String("listen", "127.0.0.1:8080", "with --headless: address of the browser bridge (loopback only)")
		serverAddr  = flag.String("server", os.Getenv("CONCIERGE_SERVER"), "switchboard address (https://host:port); empty runs the embedded switchboard")
		fingerprint = flag.String("fingerprint", os.Getenv("CONCIERGE_FINGERPRINT"), "SHA-256 fingerprint of the switchboard's TLS certificate, for a self-signed switchboard")
		dataDir     = flag.String("data", defaultDataDir(), "data folder of the embedded switchboard and the local cache")
		sipAddr     = flag.String("sip", "0.0.0.0:5060", "embedded switchboard: SIP address (UDP and TCP) callers and softphones use")
		apiAddr     = flag.String("api", "127.0.0.1:0", "embedded switchboard: HTTPS API address (other consoles may connect here)")
		siteFile    = flag.String("config", "", "embedded switchboard: site configuration file (queues, PBX); default: one queue \"reception\"")
		softphone   = flag.Bool("softphone", true, "register the built-in softphone at login (off: calls go to your desk phone)")
		demoCalls   = flag.Int("demo", 0, "embedded switchboard: place this many demo calls into the queue \"reception\"")
		debug       = flag.Bool("debug", false, "verbose logs")
	)
	flag.Parse()

	log := server.NewLogger(os.Stderr, *debug)
	// Start-up milestones (--debug), to see where the time to the first paint goes.
	began := time.Now()
	step := func(name string) { log.Debug("console: start-up", "step", name, "after", time.Since(began)) }

	site, err := server.LoadSite(*siteFile)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	emitter := &app.Emitter{}
	// The cache and the keyring are comforts: without them the console
	// still runs, it only starts empty and forgets passwords.
	store, err := cache.Open(filepath.Join(*dataDir, "cache.db"), log)
	if errors.Is(err, cache.ErrLocked) && !*headless {
		// Single instance: the console using this data folder shows its window.
		if rerr := app.RaiseRunning(instanceID); rerr != nil {
			return fmt.Errorf("Concierge is already running with %s (%w)", *dataDir, rerr)
		}
		log.Info("console: already running; its window was brought to the front")
		return nil
	}
	if err != nil {
		log.Warn("console: no local cache", "err", err)
	} else {
		defer store.Close()
	}
	step("cache open")
	secrets, err := console.OSKeyring()
	if err != nil {
		log.Info("console: remember me keeps no password", "reason", err)
	}
	step("keyring")
	con := console.New(console.Config{
		Server: *serverAddr, Fingerprint: *fingerprint, Version: version, Phone: *softphone,
		Cache: store, Secrets: secrets, ConnectAfterPaint: 2 * time.Second,
		Embedded: server.Config{
			DataDir: filepath.Join(*dataDir, "switchboard"), HTTPAddr: *apiAddr, SIPAddr: *sipAddr,
			AdminPassword: os.Getenv("CONCIERGE_ADMIN_PASSWORD"), Site: site, Logger: log,
		},
	}, emitter, log)
	if err := con.Start(ctx); err != nil {
		return err
	}
	defer con.Close()
	if sb := con.Embedded(); sb != nil && *demoCalls > 0 {
		go func() {
			err := demo.Run(ctx, sb.SIPAddr(), "reception", demo.Callers(*demoCalls), demo.WithLogger(log))
			if err != nil {
				log.Error("demo calls", "err", err)
			}
		}()
	}

	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		return fmt.Errorf("front-end assets: %w", err)
	}
	services := app.Services(ctx, con)
	if *headless {
		return serveBridge(ctx, *listen, app.NewBridge(dist, services, log), emitter)
	}
	var windowCtx atomic.Pointer[context.Context]
	const minW, minH = 1024, 640
	geo, restore := app.LoadGeometry(store, minW, minH)
	if !restore {
		geo = app.Geometry{Width: 1440, Height: 900}
	}
	startState := options.Normal
	if geo.Maximised {
		startState = options.Maximised
	}
	step("window")
	return wails.Run(&options.App{
		Title:            "Concierge",
		Width:            geo.Width,
		Height:           geo.Height,
		MinWidth:         minW,
		MinHeight:        minH,
		WindowStartState: startState,
		AssetServer: &assetserver.Options{
			Assets: dist,
		},
		BackgroundColour: &options.RGBA{R: 246, G: 247, B: 249, A: 255},
		OnStartup: func(wctx context.Context) {
			step("window started")
			emitter.AddWails(wctx)
			windowCtx.Store(&wctx)
			if restore && !geo.Maximised {
				runtime.WindowSetPosition(wctx, geo.X, geo.Y)
			}
			stopTray := app.StartTray(wctx, con, icon, emitter, log)
			stopNotifications := app.StartNotifications(wctx, con, emitter, log)
			go func() {
				<-wctx.Done()
				stopTray()
				stopNotifications()
			}()
			// SIGTERM or Ctrl-C closes the window like the close button does.
			go func() {
				<-ctx.Done()
				runtime.Quit(wctx)
			}()
		},
		Bind: append(services, app.NewFiles(func() context.Context {
			if wctx := windowCtx.Load(); wctx != nil {
				return *wctx
			}
			return nil
		})),
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId: instanceID,
			OnSecondInstanceLaunch: func(options.SecondInstanceData) {
				log.Info("console: second start, showing the window")
				if wctx := windowCtx.Load(); wctx != nil {
					runtime.WindowUnminimise(*wctx)
					runtime.WindowShow(*wctx)
				}
			},
		},
		Linux:      &linux.Options{ProgramName: "concierge", Icon: icon},
		OnDomReady: func(context.Context) { log.Info("console: window ready", "after", time.Since(began)) },
		// The close button, the tray's Quit and SIGTERM all pass here.
		OnBeforeClose: func(wctx context.Context) bool {
			app.SaveGeometry(wctx, store, log)
			return false
		},
	})
}

func serveBridge(ctx context.Context, addr string, b *app.Bridge, emitter *app.Emitter) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("bridge: listen %s: %w", addr, err)
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		ln.Close()
		return fmt.Errorf("bridge: %s is not a loopback address; the bridge has no login of its own", addr)
	}
	emitter.Add(b.Emit)
	srv := &http.Server{Handler: b.Handler()}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	// Tests and scripts read this line to find an ephemeral port.
	fmt.Printf("concierge: bridge listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("bridge: %w", err)
	}
	return nil
}

func defaultDataDir() string {
	if d := os.Getenv("CONCIERGE_DATA"); d != "" {
		return d
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ".concierge"
	}
	return filepath.Join(dir, "concierge")
}
