package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// peer is the running node the stdin commands act on.
type peer struct {
	list         *memberlist.Memberlist
	delegate     *peerDelegate
	filter       *packetFilter
	dskit        *dskitTransport // nil with the net transport
	leaveTimeout time.Duration
	stopOnce     sync.Once
}

// serveCommands reads one command per line until `quit` or end of input;
// a closed stdin (the driving test died) shuts the node down too.
func (p *peer) serveCommands(in io.Reader) {
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 64*1024), 4<<20)
	for scanner.Scan() {
		if !p.execute(strings.TrimSpace(scanner.Text())) {
			break
		}
	}
	p.stop()
}

// execute runs one command; it returns false for `quit`.
func (p *peer) execute(line string) bool {
	verb, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch verb {
	case "broadcast":
		p.delegate.broadcast([]byte(arg))
		events.emit("broadcast_queued", map[string]interface{}{"payload": arg, "size": len(arg)})
	case "broadcast-hex":
		payload, err := hex.DecodeString(arg)
		if err != nil {
			events.emit("error", map[string]interface{}{"error": fmt.Sprintf("broadcast-hex: %v", err)})
			break
		}
		p.delegate.broadcast(payload)
		events.emit("broadcast_queued", map[string]interface{}{"payload_bytes": payload, "size": len(payload)})
	case "kv-set", "kv-put":
		// kv-set <key> <codec> <value hex>: store a pair of our own and broadcast it;
		// kv-put: store it only, so it travels in push/pull state alone.
		parts := strings.Fields(arg)
		if len(parts) != 3 {
			events.emit("error", map[string]interface{}{"error": verb + ": want <key> <codec> <value hex>"})
			break
		}
		value, err := hex.DecodeString(parts[2])
		if err != nil {
			events.emit("error", map[string]interface{}{"error": fmt.Sprintf("%s: %v", verb, err)})
			break
		}
		pair := kvPair{Key: parts[0], Codec: parts[1], Value: value}
		if verb == "kv-set" {
			p.delegate.setKV(pair)
		} else {
			p.delegate.kv.store(pair)
		}
		events.emit("kv_set", describe(pair))
	case "kv-dump":
		events.emit("kv_dump", map[string]interface{}{"pairs": p.delegate.kv.dump()})
	case "members":
		events.emit("members", map[string]interface{}{"members": p.delegate.members()})
	case "join":
		p.join(splitList(arg))
	case "leave":
		timeout, err := parseTimeout(arg)
		if err != nil {
			events.emitError("error", err)
			break
		}
		if err := p.list.Leave(timeout); err != nil {
			events.emitError("leave_error", err)
		} else {
			events.emit("left", nil)
		}
	case "drop", "undrop":
		p.filter.block(arg, verb == "drop")
		events.emit(verb, map[string]interface{}{"addr": arg})
	case "stats":
		p.emitStats()
	case "quit":
		return false
	default:
		events.emit("error", map[string]interface{}{"error": fmt.Sprintf("unknown command %q", line)})
	}
	return true
}

// join contacts the given addresses and reports how many answered.
func (p *peer) join(addrs []string) {
	count, err := p.list.Join(addrs)
	if err != nil {
		events.emit("join_error", map[string]interface{}{"error": err.Error(), "count": count})
		return
	}
	events.emit("joined", map[string]interface{}{"count": count})
}

func (p *peer) emitStats() {
	fields := map[string]interface{}{}
	if p.dskit != nil {
		fields = p.dskit.stats()
	}
	fields["packets_filtered"] = p.filter.dropped.Load()
	fields["alive_members"] = p.list.NumMembers()
	fields["health_score"] = p.list.GetHealthScore()
	events.emit("stats", fields)
}

// stop leaves (bounded by leaveTimeout), shuts down and exits; used by
// `quit`, end of input and SIGTERM/SIGINT.
func (p *peer) stop() {
	p.stopOnce.Do(func() {
		if err := p.list.Leave(p.leaveTimeout); err != nil {
			events.emitError("leave_error", err)
		} else {
			events.emit("left", nil)
		}
		if err := p.list.Shutdown(); err != nil {
			events.emitError("shutdown_error", err)
		}
		events.emit("shutdown", nil)
		os.Exit(0)
	})
}

// parseTimeout accepts a Go duration ("1.5s") or plain seconds ("2").
func parseTimeout(s string) (time.Duration, error) {
	if seconds, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(seconds * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad timeout %q: want a duration like 2s", s)
	}
	return d, nil
}

func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
