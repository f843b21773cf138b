package main

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"sync"
)

// kvPair is dskit's memberlist.KeyValuePair (dskit-kv-ring.md §3.1):
// 1 key string, 2 value bytes, 3 codec string, 4 deleted bool,
// 5 update_time_millis int64. Hand-encoded: no protobuf library offline.
type kvPair struct {
	Key              string
	Value            []byte
	Codec            string
	Deleted          bool
	UpdateTimeMillis int64
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendBytesField(b []byte, field int, data []byte) []byte {
	if len(data) == 0 {
		return b
	}
	b = appendVarint(b, uint64(field<<3|2))
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

// marshal writes the canonical proto3 encoding (fields in order, defaults omitted).
func (p kvPair) marshal() []byte {
	var b []byte
	b = appendBytesField(b, 1, []byte(p.Key))
	b = appendBytesField(b, 2, p.Value)
	b = appendBytesField(b, 3, []byte(p.Codec))
	if p.Deleted {
		b = append(b, 4<<3|0, 1)
	}
	if p.UpdateTimeMillis != 0 {
		b = append(b, 5<<3|0)
		b = appendVarint(b, uint64(p.UpdateTimeMillis))
	}
	return b
}

var errMalformed = errors.New("malformed KeyValuePair")

func readVarint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * uint(i))
		if b[i] < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errMalformed
}

// unmarshalPair decodes a KeyValuePair, skipping unknown fields.
func unmarshalPair(b []byte) (kvPair, error) {
	var p kvPair
	for len(b) > 0 {
		tag, n, err := readVarint(b)
		if err != nil {
			return p, err
		}
		b = b[n:]
		field, wire := tag>>3, tag&7
		switch wire {
		case 0:
			v, n, err := readVarint(b)
			if err != nil {
				return p, err
			}
			b = b[n:]
			switch field {
			case 4:
				p.Deleted = v != 0
			case 5:
				p.UpdateTimeMillis = int64(v)
			}
		case 2:
			l, n, err := readVarint(b)
			if err != nil || uint64(len(b)-n) < l {
				return p, errMalformed
			}
			data := b[n : n+int(l)]
			b = b[n+int(l):]
			switch field {
			case 1:
				p.Key = string(data)
			case 2:
				p.Value = append([]byte(nil), data...)
			case 3:
				p.Codec = string(data)
			}
		case 1:
			if len(b) < 8 {
				return p, errMalformed
			}
			b = b[8:]
		case 5:
			if len(b) < 4 {
				return p, errMalformed
			}
			b = b[4:]
		default:
			return p, errMalformed
		}
	}
	return p, nil
}

// kvState is this peer's KV store. It cannot merge codec values (no ring
// code here), so it keeps the last value seen per key: a pair is "new" when
// its bytes differ from the stored one. dskit re-gossips only updates that
// changed its state; for opaque values that rule is exactly this one.
type kvState struct {
	mu    sync.Mutex
	pairs map[string]kvPair
}

func newKVState() *kvState { return &kvState{pairs: map[string]kvPair{}} }

// store keeps p and reports whether it changed the state.
func (s *kvState) store(p kvPair) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.pairs[p.Key]
	if ok && string(old.marshal()) == string(p.marshal()) {
		return false
	}
	s.pairs[p.Key] = p
	return true
}

// sortedKeys lists the stored keys in order; the caller holds mu.
func (s *kvState) sortedKeys() []string {
	keys := make([]string, 0, len(s.pairs))
	for k := range s.pairs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// localState is dskit's push/pull user state: [uint32 BE length][KeyValuePair]...
func (s *kvState) localState() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []byte
	for _, k := range s.sortedKeys() {
		body := s.pairs[k].marshal()
		out = binary.BigEndian.AppendUint32(out, uint32(len(body)))
		out = append(out, body...)
	}
	return out
}

// parseLocalState reads frames until the end or the first bad frame.
func parseLocalState(buf []byte) ([]kvPair, error) {
	var pairs []kvPair
	for len(buf) > 0 {
		if len(buf) < 4 {
			return pairs, errMalformed
		}
		l := binary.BigEndian.Uint32(buf)
		if uint64(len(buf)-4) < uint64(l) {
			return pairs, errMalformed
		}
		p, err := unmarshalPair(buf[4 : 4+l])
		if err != nil {
			return pairs, err
		}
		pairs = append(pairs, p)
		buf = buf[4+l:]
	}
	return pairs, nil
}

// describe is a pair as an event field (value in hex).
func describe(p kvPair) map[string]interface{} {
	return map[string]interface{}{
		"key": p.Key, "codec": p.Codec, "size": len(p.Value), "value_hex": hex.EncodeToString(p.Value),
		"deleted": p.Deleted, "update_time_millis": p.UpdateTimeMillis,
	}
}

func (s *kvState) dump() []map[string]interface{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]interface{}{}
	for _, k := range s.sortedKeys() {
		out = append(out, describe(s.pairs[k]))
	}
	return out
}
