package main

import (
	"encoding/json"
	"os"
	"sync"
)

// eventWriter prints one JSON object per line on stdout. It is the only
// writer of stdout, so lines from different goroutines never interleave.
type eventWriter struct {
	mu sync.Mutex
}

var events eventWriter

// emit writes {"event": kind, ...fields} as a single line.
func (w *eventWriter) emit(kind string, fields map[string]interface{}) {
	line := map[string]interface{}{"event": kind}
	for k, v := range fields {
		line[k] = v
	}
	data, err := json.Marshal(line)
	if err != nil {
		data = []byte(`{"event":"error","error":"cannot encode event"}`)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	os.Stdout.Write(append(data, '\n'))
}

// emitError reports a failed command or operation.
func (w *eventWriter) emitError(kind string, err error) {
	w.emit(kind, map[string]interface{}{"error": err.Error()})
}
