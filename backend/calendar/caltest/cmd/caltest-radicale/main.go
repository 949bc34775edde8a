// Command caltest-radicale runs a throw-away Radicale with sample calendars
// for end-to-end tests that are not written in Go:
//
//	go run ./backend/calendar/caltest/cmd/caltest-radicale -samples anna.martin -busy-now bob.dupont
//
// It prints one JSON line once Radicale answers — {"url", "serviceUser",
// "servicePassword", "urlTemplate", "weekStart", "weekEnd", "busyNow":
// {"summary", "start", "end"}} — and runs until SIGINT/SIGTERM or until its
// standard input closes (the test runner is gone), then stops Radicale and
// removes its files.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/concierge-console/concierge/backend/calendar/caltest"
)

func main() {
	samples := flag.String("samples", "", "comma-separated users whose calendar gets the sample week (caltest.SampleEvents)")
	busyNow := flag.String("busy-now", "", "comma-separated users with a meeting \"Board meeting\" from 30 min ago to 45 min from now")
	flag.Parse()
	if err := run(strings.Split(*samples, ","), strings.Split(*busyNow, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "caltest-radicale:", err)
		os.Exit(1)
	}
}

func run(samples, busyNow []string) error {
	dir, err := os.MkdirTemp("", "caltest-radicale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	r, err := caltest.Launch(dir, nil)
	if err != nil {
		return err
	}
	defer r.Stop()
	for _, u := range samples {
		if u = strings.TrimSpace(u); u != "" {
			if _, err := r.AddSamples(u); err != nil {
				return err
			}
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	start, end := now.Add(-30*time.Minute), now.Add(45*time.Minute)
	for _, u := range busyNow {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		if _, err := r.MakeCalendar(u); err != nil && !strings.Contains(err.Error(), "MKCALENDAR") {
			return err
		}
		ics := caltest.EventAt("busy-now@caltest", start, end, "SUMMARY:Board meeting\nLOCATION:Room 1\n")
		if err := r.PutEvent(u, "busy-now", ics); err != nil {
			return err
		}
	}
	out, _ := json.Marshal(map[string]any{
		"url": r.URL, "urlTemplate": r.URL + "/{user}/calendar/",
		"serviceUser": caltest.ServiceUser, "servicePassword": caltest.ServicePassword,
		"weekStart": caltest.WeekStart, "weekEnd": caltest.WeekEnd,
		"busyNow": map[string]any{"summary": "Board meeting", "start": start, "end": end},
	})
	fmt.Println(string(out))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { io.Copy(io.Discard, os.Stdin); stop() }()
	<-ctx.Done()
	return nil
}
