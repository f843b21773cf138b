// OpenSSL for the benchmark's TLS client (NodeBenchmarks, DskitTLSPingClient.swift).
// The main package's COpenSSL is a system-library target without a product, so the
// benchmark package declares its own view of the same system headers.
#include <stddef.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

/// Settings the benchmark client needs that OpenSSL exposes only as macros: an
/// EOF without close_notify ends a read quietly (the node may close without
/// one), no TLS 1.3 session tickets are sent (the node never resumes), and an
/// optional highest protocol version (0: the newest).
static inline int bench_ssl_ctx_prepare(SSL_CTX *ctx, int max_tls12) {
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (SSL_CTX_set_num_tickets(ctx, 0) != 1) return 0;
    if (max_tls12 && SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) != 1) return 0;
    return 1;
}
