package server

import (
	"io"
	"log/slog"
)

// NewLogger returns the text logger both binaries use, and makes it the
// default so libraries that log through slog land in the same place.
func NewLogger(w io.Writer, debug bool) *slog.Logger {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log)
	return log
}
