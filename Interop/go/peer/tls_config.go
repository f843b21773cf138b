package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
)

// tlsSettings are dskit's client-TLS flags (dskit-kv-ring.md §1).
type tlsSettings struct {
	enabled            bool
	certPath, keyPath  string
	caPath             string
	serverName         string
	insecureSkipVerify bool
	minVersion         string
	maxVersion         string
	cipherSuites       string
}

var tlsVersions = map[string]uint16{
	"VersionTLS10": tls.VersionTLS10,
	"VersionTLS11": tls.VersionTLS11,
	"VersionTLS12": tls.VersionTLS12,
	"VersionTLS13": tls.VersionTLS13,
}

// build returns the one config dskit uses for both listener and dialer, or
// nil when TLS is off. The cert is our client and server certificate; the CA
// verifies the server we dial (system roots if unset). Servers never request
// client certificates (tls.NoClientCert, Go's default).
func (s tlsSettings) build() (*tls.Config, error) {
	if !s.enabled {
		return nil, nil
	}
	cfg := &tls.Config{
		ServerName:         s.serverName,
		InsecureSkipVerify: s.insecureSkipVerify,
		ClientAuth:         tls.NoClientCert,
	}
	if (s.certPath == "") != (s.keyPath == "") {
		return nil, errors.New("-tls-cert-path and -tls-key-path must be given together")
	}
	if s.certPath != "" {
		cert, err := tls.LoadX509KeyPair(s.certPath, s.keyPath)
		if err != nil {
			return nil, fmt.Errorf("loading TLS key pair: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if s.caPath != "" {
		pem, err := os.ReadFile(s.caPath)
		if err != nil {
			return nil, fmt.Errorf("reading CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no certificates in %s", s.caPath)
		}
		cfg.RootCAs = pool
	}
	if s.minVersion != "" {
		v, ok := tlsVersions[s.minVersion]
		if !ok {
			return nil, fmt.Errorf("unknown -tls-min-version %q (want VersionTLS10|11|12|13)", s.minVersion)
		}
		cfg.MinVersion = v
	}
	if s.maxVersion != "" {
		v, ok := tlsVersions[s.maxVersion]
		if !ok {
			return nil, fmt.Errorf("unknown -tls-max-version %q (want VersionTLS10|11|12|13)", s.maxVersion)
		}
		cfg.MaxVersion = v
	}
	if s.cipherSuites != "" {
		suites, err := cipherSuiteIDs(s.cipherSuites)
		if err != nil {
			return nil, err
		}
		cfg.CipherSuites = suites
	}
	return cfg, nil
}

// cipherSuiteIDs maps a comma list of Go cipher suite names to their IDs.
func cipherSuiteIDs(list string) ([]uint16, error) {
	byName := map[string]uint16{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		byName[s.Name] = s.ID
	}
	var ids []uint16
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		id, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("unknown TLS cipher suite %q", name)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
