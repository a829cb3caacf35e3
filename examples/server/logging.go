package main

import (
	"io"
	"log/slog"

	"github.com/latchkit/latch/httpadapter"
)

// newLogger returns the server's logger: text or JSON lines on w from
// level up, with the request ID (httpadapter.LogHandler) on every line
// logged for a request.
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(httpadapter.LogHandler(h))
}
