package main

import (
	"crypto/sha256"
	"sort"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/hashicorp/memberlist"
)

// maxRemembered bounds the set of payload digests kept for relay
// de-duplication; the oldest digest is forgotten first.
const maxRemembered = 4096

// userBroadcast is one user message in our own TransmitLimitedQueue. Distinct
// payloads never invalidate each other.
type userBroadcast struct {
	payload []byte
}

func (b *userBroadcast) Invalidates(memberlist.Broadcast) bool { return false }
func (b *userBroadcast) Message() []byte                       { return b.payload }
func (b *userBroadcast) Finished()                             {}

// peerDelegate relays user messages the way dskit's KV does
// (dskit-kv-ring.md §3.5-3.6): whatever arrives through NotifyMsg is queued
// again on our own gossip queue, once per distinct payload, so it reaches
// nodes the original sender never gossiped to. It also remembers the last
// event per node, so dead nodes memberlist has already reaped stay listed.
type peerDelegate struct {
	queue *memberlist.TransmitLimitedQueue
	table *nodeTable
	kv    *kvState
	list  atomic.Pointer[memberlist.Memberlist] // set once Create returns

	mu       sync.Mutex
	seen     map[[sha256.Size]byte]struct{}
	seenFIFO [][sha256.Size]byte
	known    map[string]memberRecord
}

// memberRecord is one node in a `members` reply or an event.
type memberRecord struct {
	Name        string `json:"name"`
	Addr        string `json:"addr"`
	State       string `json:"state"`
	Incarnation uint32 `json:"incarnation"`
}

func newPeerDelegate(retransmitMult int, table *nodeTable) *peerDelegate {
	d := &peerDelegate{
		table: table,
		kv:    newKVState(),
		seen:  map[[sha256.Size]byte]struct{}{},
		known: map[string]memberRecord{},
	}
	d.queue = &memberlist.TransmitLimitedQueue{RetransmitMult: retransmitMult, NumNodes: d.numNodes}
	return d
}

// attach hands over the running memberlist once Create has returned.
func (d *peerDelegate) attach(list *memberlist.Memberlist) { d.list.Store(list) }

// numNodes sizes retransmits by the live cluster size, as memberlist does.
func (d *peerDelegate) numNodes() int {
	if list := d.list.Load(); list != nil {
		return list.NumMembers()
	}
	return 1
}

// remember records a payload digest; it returns false if it was already known.
func (d *peerDelegate) remember(payload []byte) bool {
	digest := sha256.Sum256(payload)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.seen[digest]; ok {
		return false
	}
	d.seen[digest] = struct{}{}
	d.seenFIFO = append(d.seenFIFO, digest)
	if len(d.seenFIFO) > maxRemembered {
		delete(d.seen, d.seenFIFO[0])
		d.seenFIFO = d.seenFIFO[1:]
	}
	return true
}

// broadcast queues a user message that originates here.
func (d *peerDelegate) broadcast(payload []byte) {
	if d.remember(payload) {
		d.queue.QueueBroadcast(&userBroadcast{payload: payload})
	}
}

// memberlist.Delegate

func (d *peerDelegate) NodeMeta(limit int) []byte { return nil }

// maxCompoundPart is the largest message memberlist v0.2.2 can put in a
// compound (uint16 lengths). Grafana's fork sends longer ones alone; v0.2.2
// would corrupt them, so this peer prints them but does not relay them.
const maxCompoundPart = 65535

// NotifyMsg prints and relays each distinct user payload once. A payload that
// is a dskit KeyValuePair (non-empty key and codec) is also stored in the KV
// state and printed as a `kv` event; as in dskit, it is relayed only when it
// changed the state. memberlist reuses nothing here, but the slice is copied
// to be safe.
func (d *peerDelegate) NotifyMsg(msg []byte) {
	payload := append([]byte(nil), msg...)
	if !d.remember(payload) {
		return
	}
	fields := map[string]interface{}{"size": len(payload)}
	if utf8.Valid(payload) {
		fields["payload"] = string(payload)
	} else {
		fields["payload_bytes"] = payload // JSON encodes []byte as base64
	}
	events.emit("user", fields)
	if pair, err := unmarshalPair(payload); err == nil && pair.Key != "" && pair.Codec != "" {
		if !d.kv.store(pair) {
			return
		}
		events.emit("kv", describe(pair))
	}
	if len(payload) <= maxCompoundPart {
		d.queue.QueueBroadcast(&userBroadcast{payload: payload})
	}
}

// setKV stores a pair of our own and broadcasts it.
func (d *peerDelegate) setKV(pair kvPair) {
	d.kv.store(pair)
	d.broadcast(pair.marshal())
}

func (d *peerDelegate) GetBroadcasts(overhead, limit int) [][]byte {
	return d.queue.GetBroadcasts(overhead, limit)
}

// LocalState is dskit's push/pull user state: every stored pair, framed.
func (d *peerDelegate) LocalState(join bool) []byte { return d.kv.localState() }

// MergeRemoteState stores each pair of a peer's state and prints a
// `kv_state` event: `pairs` is every pair the state carried, `changed` the
// keys of those that changed ours. A pair can arrive by gossip while the
// push/pull reply waits for this call (memberlist merges the reply on the
// joining goroutine, packets on another), so "changed" alone cannot tell
// what the push/pull carried.
func (d *peerDelegate) MergeRemoteState(buf []byte, join bool) {
	pairs, err := parseLocalState(buf)
	carried := []map[string]interface{}{}
	changed := []string{}
	for _, pair := range pairs {
		if pair.Key == "" {
			continue
		}
		carried = append(carried, describe(pair))
		if d.kv.store(pair) {
			changed = append(changed, pair.Key)
		}
	}
	fields := map[string]interface{}{"pairs": carried, "changed": changed, "join": join, "size": len(buf)}
	if err != nil {
		fields["error"] = err.Error()
	}
	events.emit("kv_state", fields)
}

// memberlist.EventDelegate. memberlist calls these with its node lock held,
// so the node state can be read without locking.

func (d *peerDelegate) NotifyJoin(n *memberlist.Node)   { d.record("join", n) }
func (d *peerDelegate) NotifyLeave(n *memberlist.Node)  { d.record("leave", n) }
func (d *peerDelegate) NotifyUpdate(n *memberlist.Node) { d.record("update", n) }

func (d *peerDelegate) record(kind string, n *memberlist.Node) {
	rec := recordOf(d.table.viewOf(n))
	d.mu.Lock()
	d.known[n.Name] = rec
	d.mu.Unlock()
	events.emit(kind, map[string]interface{}{
		"node": rec.Name, "addr": rec.Addr, "state": rec.State, "incarnation": rec.Incarnation,
	})
}

// members lists every node in memberlist's table with its current state,
// plus nodes memberlist has already reaped, as their last event left them.
func (d *peerDelegate) members() []memberRecord {
	var out []memberRecord
	listed := map[string]bool{}
	for _, v := range d.table.all(d.list.Load()) {
		out = append(out, recordOf(v))
		listed[v.name] = true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for name, rec := range d.known {
		if !listed[name] {
			out = append(out, rec)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func recordOf(v nodeView) memberRecord {
	return memberRecord{Name: v.name, Addr: v.addr, State: stateName(v.state), Incarnation: v.incarnation}
}

func stateName(s memberlist.NodeStateType) string {
	switch s {
	case memberlist.StateAlive:
		return "alive"
	case memberlist.StateSuspect:
		return "suspect"
	case memberlist.StateDead:
		return "dead"
	case memberlist.StateLeft:
		return "left"
	}
	return "unknown"
}
