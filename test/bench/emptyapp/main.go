// Command emptyapp is the smallest Wails v2 window, the baseline of the
// console's start-up and memory benchmark (test/bench/console.mjs): same
// Wails, same build flags, a page that only says it is painted.
package main

import (
	"context"
	"embed"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

//go:embed index.html
var assets embed.FS

// App is bound so the page can report its first paint, like the console does.
type App struct{}

// Ready logs the line the benchmark waits for.
func (App) Ready() error {
	log.Print("empty: ready")
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := wails.Run(&options.App{
		Title: "Empty", Width: 1440, Height: 900,
		AssetServer: &assetserver.Options{Assets: assets},
		Bind:        []any{&App{}},
		OnStartup: func(wctx context.Context) {
			go func() {
				<-ctx.Done()
				runtime.Quit(wctx)
			}()
		},
	})
	if err != nil {
		log.Fatal(err)
	}
}
