package main

import (
	"bytes"
	"crypto/md5"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sockaddr "github.com/hashicorp/go-sockaddr"
	"github.com/hashicorp/memberlist"
)

// Connection type bytes, dskit-kv-ring.md §1.
const (
	connPacket byte = 0x01
	connStream byte = 0x02
)

// maxPacketSize bounds what one packet connection may carry: dskit raises
// memberlist's UDPBufferSize to 10 MiB, plus the 16-byte digest.
const maxPacketSize = 10<<20 + md5.Size

// dskitTransportConfig holds dskit's TCP transport settings (dskit-kv-ring.md §1).
type dskitTransportConfig struct {
	bindAddr             string
	bindPort             int
	packetDialTimeout    time.Duration // dial timeout for packet connections, 2s
	packetWriteTimeout   time.Duration // one deadline for header+payload+digest, 5s; 0 = none
	maxConcurrentWrites  int           // packet writer workers, 3; <= 0 means 1
	acquireWriterTimeout time.Duration // wait for an idle writer before dropping, 250ms
	tls                  *tls.Config   // nil = plain TCP; one config for listener and dialer
	logger               *log.Logger
}

// dskitCounters mirror the transport metrics dskit exports.
type dskitCounters struct {
	packetsSent, packetsSentErrors, packetsDropped    atomic.Uint64
	packetsReceived, packetsReceivedErrors, digestBad atomic.Uint64
	streamsIncoming, streamsOutgoing, streamErrors    atomic.Uint64
	unknownConnections                                atomic.Uint64
}

// outgoingPacket is one packet waiting for a writer worker.
type outgoingPacket struct {
	payload []byte
	addr    string
}

// dskitTransport is our implementation of dskit's TCPTransport: memberlist
// "packets" and "streams" both travel over fresh TCP (or TLS) connections,
// never reused (dskit-kv-ring.md §1).
type dskitTransport struct {
	cfg      dskitTransportConfig
	listener net.Listener
	port     int

	packetCh   chan *memberlist.Packet
	streamCh   chan net.Conn
	writeCh    chan outgoingPacket
	shutdownCh chan struct{}
	closing    atomic.Bool
	wg         sync.WaitGroup

	advertiseMu sync.RWMutex
	advertise   string // our "ip:port", written into every packet header

	counters dskitCounters
}

func newDskitTransport(cfg dskitTransportConfig) (*dskitTransport, error) {
	if cfg.maxConcurrentWrites <= 0 {
		cfg.maxConcurrentWrites = 1
	}
	bind := net.JoinHostPort(cfg.bindAddr, fmt.Sprint(cfg.bindPort))
	var listener net.Listener
	var err error
	if cfg.tls != nil {
		listener, err = tls.Listen("tcp", bind, cfg.tls)
	} else {
		listener, err = net.Listen("tcp", bind)
	}
	if err != nil {
		return nil, fmt.Errorf("dskit transport: listen on %s: %w", bind, err)
	}
	t := &dskitTransport{
		cfg:        cfg,
		listener:   listener,
		port:       listener.Addr().(*net.TCPAddr).Port,
		packetCh:   make(chan *memberlist.Packet),
		streamCh:   make(chan net.Conn),
		writeCh:    make(chan outgoingPacket),
		shutdownCh: make(chan struct{}),
	}
	t.wg.Add(1 + cfg.maxConcurrentWrites)
	go t.acceptLoop()
	for i := 0; i < cfg.maxConcurrentWrites; i++ {
		go t.writer()
	}
	return t, nil
}

func (t *dskitTransport) acceptLoop() {
	defer t.wg.Done()
	for {
		conn, err := t.listener.Accept()
		if err != nil {
			if t.closing.Load() {
				return
			}
			t.cfg.logger.Printf("[WARN] dskit transport: accept: %v", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go t.handleConnection(conn)
	}
}

// handleConnection reads the type byte, then either hands the connection to
// memberlist as a stream or reads one packet `01 N addr payload md5` to EOF.
func (t *dskitTransport) handleConnection(conn net.Conn) {
	handedOver := false
	defer func() {
		if !handedOver {
			conn.Close()
		}
	}()
	var kind [1]byte
	if _, err := io.ReadFull(conn, kind[:]); err != nil {
		t.cfg.logger.Printf("[WARN] dskit transport: reading connection type from %s: %v", conn.RemoteAddr(), err)
		return
	}
	switch kind[0] {
	case connStream:
		t.counters.streamsIncoming.Add(1)
		select {
		case t.streamCh <- conn:
			handedOver = true
		case <-t.shutdownCh:
		}
	case connPacket:
		t.counters.packetsReceived.Add(1)
		packet, err := t.readPacket(conn)
		if err != nil {
			t.counters.packetsReceivedErrors.Add(1)
			t.cfg.logger.Printf("[WARN] dskit transport: packet from %s: %v", conn.RemoteAddr(), err)
			return
		}
		select {
		case t.packetCh <- packet:
		case <-t.shutdownCh:
		}
	default:
		t.counters.unknownConnections.Add(1)
		t.cfg.logger.Printf("[ERR] dskit transport: unknown connection type 0x%02x from %s", kind[0], conn.RemoteAddr())
	}
}

// readPacket parses what follows the 0x01 byte. A digest mismatch is counted
// and logged, yet the packet is still delivered, as dskit does.
func (t *dskitTransport) readPacket(conn net.Conn) (*memberlist.Packet, error) {
	var addrLen [1]byte
	if _, err := io.ReadFull(conn, addrLen[:]); err != nil {
		return nil, fmt.Errorf("reading address length: %w", err)
	}
	from := make([]byte, addrLen[0])
	if _, err := io.ReadFull(conn, from); err != nil {
		return nil, fmt.Errorf("reading address: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(conn, maxPacketSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading payload: %w", err)
	}
	if len(body) > maxPacketSize {
		return nil, fmt.Errorf("packet larger than %d bytes", maxPacketSize)
	}
	if len(body) < md5.Size {
		return nil, fmt.Errorf("only %d bytes after the header, need at least the %d-byte digest", len(body), md5.Size)
	}
	payload, digest := body[:len(body)-md5.Size], body[len(body)-md5.Size:]
	if expected := md5.Sum(payload); !bytes.Equal(expected[:], digest) {
		t.counters.packetsReceivedErrors.Add(1)
		t.counters.digestBad.Add(1)
		t.cfg.logger.Printf("[WARN] dskit transport: packet digest mismatch from %q: expected %x, got %x (delivered anyway)", from, expected, digest)
	}
	return &memberlist.Packet{Buf: payload, From: headerAddr(from), Timestamp: time.Now()}, nil
}

// headerAddr is the packet source memberlist sees: the sender's advertised
// address from the header, not the TCP peer address.
type headerAddr string

func (a headerAddr) Network() string { return "tcp" }
func (a headerAddr) String() string  { return string(a) }

// writer is one of the bounded packet-writing workers.
func (t *dskitTransport) writer() {
	defer t.wg.Done()
	for {
		select {
		case p := <-t.writeCh:
			if err := t.writePacket(p); err != nil {
				t.counters.packetsSentErrors.Add(1)
				if !strings.Contains(err.Error(), "connection refused") {
					t.cfg.logger.Printf("[WARN] dskit transport: packet to %s: %v", p.addr, err)
				}
			}
		case <-t.shutdownCh:
			return
		}
	}
}

// writePacket dials, writes header, payload and MD5 under one deadline, closes.
func (t *dskitTransport) writePacket(p outgoingPacket) error {
	conn, err := t.dial(p.addr, t.cfg.packetDialTimeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	self := t.advertisedAddr()
	if len(self) > 255 {
		return errors.New("own advertised address longer than 255 bytes")
	}
	digest := md5.Sum(p.payload)
	frame := make([]byte, 0, 2+len(self)+len(p.payload)+md5.Size)
	frame = append(frame, connPacket, byte(len(self)))
	frame = append(frame, self...)
	frame = append(frame, p.payload...)
	frame = append(frame, digest[:]...)
	if t.cfg.packetWriteTimeout > 0 {
		if err := conn.SetDeadline(time.Now().Add(t.cfg.packetWriteTimeout)); err != nil {
			return err
		}
	}
	_, err = conn.Write(frame)
	return err
}

func (t *dskitTransport) dial(addr string, timeout time.Duration) (net.Conn, error) {
	dialer := &net.Dialer{Timeout: timeout}
	if t.cfg.tls != nil {
		return tls.DialWithDialer(dialer, "tcp", addr, t.cfg.tls)
	}
	return dialer.Dial("tcp", addr)
}

func (t *dskitTransport) advertisedAddr() string {
	t.advertiseMu.RLock()
	defer t.advertiseMu.RUnlock()
	return t.advertise
}

// memberlist.Transport

// FinalAdvertiseAddr follows dskit: an explicit address wins; otherwise a
// wildcard bind advertises the first private IPv4, a specific bind its own
// IP, and the port is always the bound one.
func (t *dskitTransport) FinalAdvertiseAddr(ip string, port int) (net.IP, int, error) {
	var addr net.IP
	if ip != "" {
		addr = net.ParseIP(ip)
		if addr == nil {
			return nil, 0, fmt.Errorf("cannot parse advertise address %q", ip)
		}
	} else {
		port = t.port
		bound := t.listener.Addr().(*net.TCPAddr).IP
		if bound.IsUnspecified() {
			private, err := sockaddr.GetPrivateIP()
			if err != nil || private == "" {
				return nil, 0, fmt.Errorf("no private IP to advertise (%v); set -advertise-addr", err)
			}
			addr = net.ParseIP(private)
		} else {
			addr = bound
		}
	}
	if v4 := addr.To4(); v4 != nil {
		addr = v4
	}
	t.advertiseMu.Lock()
	t.advertise = net.JoinHostPort(addr.String(), fmt.Sprint(port))
	t.advertiseMu.Unlock()
	return addr, port, nil
}

// WriteTo hands the packet to an idle writer; if none frees up within the
// acquire timeout the packet is dropped. Errors are never reported to
// memberlist (dskit-kv-ring.md §1).
func (t *dskitTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	t.counters.packetsSent.Add(1)
	p := outgoingPacket{payload: append([]byte(nil), b...), addr: addr}
	timer := time.NewTimer(t.cfg.acquireWriterTimeout)
	defer timer.Stop()
	select {
	case t.writeCh <- p:
	case <-timer.C:
		t.counters.packetsDropped.Add(1)
		t.cfg.logger.Printf("[WARN] dskit transport: no free writer within %v, dropped packet to %s", t.cfg.acquireWriterTimeout, addr)
	case <-t.shutdownCh:
	}
	return time.Now(), nil
}

func (t *dskitTransport) PacketCh() <-chan *memberlist.Packet { return t.packetCh }

// DialTimeout opens a stream: a fresh connection whose first byte is 0x02.
func (t *dskitTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	t.counters.streamsOutgoing.Add(1)
	conn, err := t.dial(addr, timeout)
	if err != nil {
		t.counters.streamErrors.Add(1)
		return nil, err
	}
	if _, err := conn.Write([]byte{connStream}); err != nil {
		t.counters.streamErrors.Add(1)
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func (t *dskitTransport) StreamCh() <-chan net.Conn { return t.streamCh }

func (t *dskitTransport) Shutdown() error {
	if t.closing.Swap(true) {
		return nil
	}
	close(t.shutdownCh)
	err := t.listener.Close()
	t.wg.Wait()
	return err
}

// stats reports the counters for the `stats` command.
func (t *dskitTransport) stats() map[string]interface{} {
	c := &t.counters
	return map[string]interface{}{
		"packets_sent":            c.packetsSent.Load(),
		"packets_sent_errors":     c.packetsSentErrors.Load(),
		"packets_dropped":         c.packetsDropped.Load(),
		"packets_received":        c.packetsReceived.Load(),
		"packets_received_errors": c.packetsReceivedErrors.Load(),
		"packets_digest_mismatch": c.digestBad.Load(),
		"streams_incoming":        c.streamsIncoming.Load(),
		"streams_outgoing":        c.streamsOutgoing.Load(),
		"streams_errors":          c.streamErrors.Load(),
		"unknown_connections":     c.unknownConnections.Load(),
	}
}
