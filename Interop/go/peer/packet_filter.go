package main

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// packetFilter wraps a transport and silently drops outgoing packets to
// chosen addresses (test fault injection: it lets a test prove that a node
// it cannot send gossip to still learns messages through relays). Streams
// are untouched, so push/pull and TCP fallback pings still work.
type packetFilter struct {
	memberlist.Transport

	mu      sync.Mutex
	blocked map[string]bool
	dropped atomic.Uint64
}

func newPacketFilter(inner memberlist.Transport, blocked []string) *packetFilter {
	f := &packetFilter{Transport: inner, blocked: map[string]bool{}}
	for _, addr := range blocked {
		f.block(addr, true)
	}
	return f
}

// block starts (on=true) or stops dropping packets to addr ("ip:port").
func (f *packetFilter) block(addr string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if on {
		f.blocked[addr] = true
	} else {
		delete(f.blocked, addr)
	}
}

func (f *packetFilter) WriteTo(b []byte, addr string) (time.Time, error) {
	f.mu.Lock()
	drop := f.blocked[addr]
	f.mu.Unlock()
	if drop {
		f.dropped.Add(1)
		return time.Now(), nil
	}
	return f.Transport.WriteTo(b, addr)
}
