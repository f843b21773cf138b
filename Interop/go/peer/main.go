// Command peer is a hashicorp/memberlist node driven by tests: it prints
// events as JSON lines on stdout and reads commands on stdin (see
// commands.go). -transport selects memberlist's own UDP+TCP transport or our
// implementation of dskit's TCP transport (dskit-kv-ring.md §1).
package main

import (
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/memberlist"
)

func main() {
	lan := memberlist.DefaultLANConfig()
	name := flag.String("name", lan.Name, "node name (default: hostname)")
	bindAddr := flag.String("bind-addr", "0.0.0.0", "IP to listen on")
	bindPort := flag.Int("bind-port", 7946, "port to listen on (UDP and TCP for -transport net); 0 = kernel-chosen")
	advertiseAddr := flag.String("advertise-addr", "", "IP to advertise (default: derived from the bind address)")
	advertisePort := flag.Int("advertise-port", 0, "port to advertise (default: the bound port)")
	join := flag.String("join", "", "comma list of [name/]host[:port] to join at startup")
	keyFile := flag.String("key-file", "", "file holding a 16/24/32-byte key in hex or base64; enables encryption")
	protocol := flag.Int("protocol-version", int(lan.ProtocolVersion), "memberlist protocol version to speak (1-5)")
	probeInterval := flag.Duration("probe-interval", lan.ProbeInterval, "ProbeInterval")
	probeTimeout := flag.Duration("probe-timeout", lan.ProbeTimeout, "ProbeTimeout")
	gossipInterval := flag.Duration("gossip-interval", lan.GossipInterval, "GossipInterval")
	gossipNodes := flag.Int("gossip-nodes", lan.GossipNodes, "GossipNodes (peers per gossip interval)")
	pushPullInterval := flag.Duration("pushpull-interval", lan.PushPullInterval, "PushPullInterval (0 = off)")
	suspicionMult := flag.Int("suspicion-mult", lan.SuspicionMult, "SuspicionMult")
	retransmitMult := flag.Int("retransmit-mult", lan.RetransmitMult, "RetransmitMult (memberlist's and the user-message queue's)")
	deadReclaim := flag.Duration("dead-reclaim", lan.DeadNodeReclaimTime, "DeadNodeReclaimTime (0 = never)")
	tcpTimeout := flag.Duration("tcp-timeout", lan.TCPTimeout, "TCPTimeout for streams (push/pull, join)")
	leaveTimeout := flag.Duration("leave-timeout", 5*time.Second, "how long Leave may block on quit/SIGTERM")
	dropTo := flag.String("drop-packets-to", "", "comma list of ip:port whose outgoing packets are silently dropped (fault injection)")
	transport := flag.String("transport", "net", "net = memberlist's UDP+TCP NetTransport, dskit = dskit's TCP transport")
	dial := flag.Duration("packet-dial-timeout", 2*time.Second, "dskit: packet dial timeout")
	write := flag.Duration("packet-write-timeout", 5*time.Second, "dskit: packet write timeout (0 = none)")
	writers := flag.Int("max-concurrent-writes", 3, "dskit: packet writer workers")
	acquire := flag.Duration("acquire-writer-timeout", 250*time.Millisecond, "dskit: wait for a free writer before dropping")
	var tlsFlags tlsSettings
	flag.BoolVar(&tlsFlags.enabled, "tls-enabled", false, "dskit: wrap every connection in TLS")
	flag.StringVar(&tlsFlags.certPath, "tls-cert-path", "", "dskit: certificate (client and server)")
	flag.StringVar(&tlsFlags.keyPath, "tls-key-path", "", "dskit: private key")
	flag.StringVar(&tlsFlags.caPath, "tls-ca-path", "", "dskit: CA verifying the servers we dial (default: system roots)")
	flag.StringVar(&tlsFlags.serverName, "tls-server-name", "", "dskit: expected server name (default: the dialled host)")
	flag.BoolVar(&tlsFlags.insecureSkipVerify, "tls-insecure-skip-verify", false, "dskit: skip server verification")
	flag.StringVar(&tlsFlags.minVersion, "tls-min-version", "", "dskit: VersionTLS10|11|12|13")
	flag.StringVar(&tlsFlags.maxVersion, "tls-max-version", "", "test only (dskit has no such flag): VersionTLS10|11|12|13")
	flag.StringVar(&tlsFlags.cipherSuites, "tls-cipher-suites", "", "dskit: comma list of Go cipher suite names")
	flag.Parse()

	logger := log.New(os.Stderr, "", log.LstdFlags|log.Lmicroseconds)
	fail := func(err error) {
		events.emitError("fatal", err)
		logger.Printf("[ERR] %v", err)
		os.Exit(1)
	}

	conf := memberlist.DefaultLANConfig()
	conf.Name = *name
	conf.BindAddr = *bindAddr
	conf.AdvertiseAddr = *advertiseAddr
	conf.ProtocolVersion = uint8(*protocol)
	conf.ProbeInterval = *probeInterval
	conf.ProbeTimeout = *probeTimeout
	conf.GossipInterval = *gossipInterval
	conf.GossipNodes = *gossipNodes
	conf.PushPullInterval = *pushPullInterval
	conf.SuspicionMult = *suspicionMult
	conf.RetransmitMult = *retransmitMult
	conf.DeadNodeReclaimTime = *deadReclaim
	conf.TCPTimeout = *tcpTimeout
	conf.Logger = logger

	if *keyFile != "" {
		key, err := readKey(*keyFile)
		if err != nil {
			fail(err)
		}
		if conf.Keyring, err = memberlist.NewKeyring(nil, key); err != nil {
			fail(err)
		}
	}

	var inner memberlist.Transport
	var dskit *dskitTransport
	switch *transport {
	case "net":
		if tlsFlags.enabled {
			fail(fmt.Errorf("-tls-enabled needs -transport dskit"))
		}
		nt, err := memberlist.NewNetTransport(&memberlist.NetTransportConfig{
			BindAddrs: []string{*bindAddr}, BindPort: *bindPort, Logger: logger,
		})
		if err != nil {
			fail(err)
		}
		conf.BindPort = nt.GetAutoBindPort()
		inner = nt
	case "dskit":
		tlsConfig, err := tlsFlags.build()
		if err != nil {
			fail(err)
		}
		dskit, err = newDskitTransport(dskitTransportConfig{
			bindAddr: *bindAddr, bindPort: *bindPort,
			packetDialTimeout: *dial, packetWriteTimeout: *write,
			maxConcurrentWrites: *writers, acquireWriterTimeout: *acquire,
			tls: tlsConfig, logger: logger,
		})
		if err != nil {
			fail(err)
		}
		conf.BindPort = dskit.port
		// What dskit forces on memberlist (dskit-kv-ring.md §1).
		conf.DisableTcpPings = true
		conf.UDPBufferSize = 10 << 20
		inner = dskit
	default:
		fail(fmt.Errorf("unknown -transport %q (want net or dskit)", *transport))
	}
	conf.AdvertisePort = conf.BindPort
	if *advertisePort != 0 {
		conf.AdvertisePort = *advertisePort
	}
	filter := newPacketFilter(inner, splitList(*dropTo))
	conf.Transport = filter

	table, err := newNodeTable()
	if err != nil {
		fail(err)
	}
	delegate := newPeerDelegate(conf.RetransmitMult, table)
	conf.Delegate = delegate
	conf.Events = delegate

	list, err := memberlist.Create(conf)
	if err != nil {
		inner.Shutdown()
		fail(err)
	}
	delegate.attach(list)
	p := &peer{list: list, delegate: delegate, filter: filter, dskit: dskit, leaveTimeout: *leaveTimeout}

	self := list.LocalNode()
	events.emit("ready", map[string]interface{}{"name": self.Name, "addr": self.Address(), "transport": *transport})

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		p.stop()
	}()
	if addrs := splitList(*join); len(addrs) > 0 {
		go p.join(addrs)
	}
	p.serveCommands(os.Stdin)
}

// readKey accepts a hex or base64 encoded 16, 24 or 32-byte key.
func readKey(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading key: %w", err)
	}
	text := strings.TrimSpace(string(raw))
	key, err := hex.DecodeString(text)
	if err != nil {
		if key, err = base64.StdEncoding.DecodeString(text); err != nil {
			return nil, fmt.Errorf("key in %s is neither hex nor base64", path)
		}
	}
	switch len(key) {
	case 16, 24, 32:
		return key, nil
	}
	return nil, fmt.Errorf("key in %s has %d bytes, want 16, 24 or 32", path, len(key))
}
