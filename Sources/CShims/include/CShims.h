// C shims for what Swift cannot import directly: _GNU_SOURCE-only calls
// (epoll, eventfd, signalfd, recvmmsg, gettid/tgkill), sockaddr helpers
// and OpenSSL macros. Calls are thin wrappers without policy; errno is left
// for the Swift caller (read it with cshims_errno), which retries EINTR (the
// eventfd helpers retry it themselves, being used from any thread).
#ifndef CSHIMS_H
#define CSHIMS_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <openssl/ssl.h>

/// Current errno, readable from Swift without touching the thread-local macro.
int cshims_errno(void);

/// Monotonic clock in nanoseconds (CLOCK_MONOTONIC); never the wall clock.
uint64_t cshims_monotonic_ns(void);

/// strerror_r (GNU flavour) copied into `buf`; always NUL-terminated.
void cshims_strerror(int err, char *buf, size_t len);

// MARK: epoll (flattened: x86_64's struct epoll_event is packed)

/// epoll_create1(EPOLL_CLOEXEC).
int cshims_epoll_create(void);
/// epoll_ctl with the event mask and a 64-bit token; `op` is EPOLL_CTL_*.
int cshims_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
/// epoll_wait into parallel arrays of tokens and event masks (at most `max`).
int cshims_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms);

extern const uint32_t CSHIMS_EPOLLIN;
extern const uint32_t CSHIMS_EPOLLOUT;
extern const uint32_t CSHIMS_EPOLLERR;
extern const uint32_t CSHIMS_EPOLLHUP;
extern const uint32_t CSHIMS_EPOLLRDHUP;
extern const int CSHIMS_EPOLL_CTL_ADD;
extern const int CSHIMS_EPOLL_CTL_MOD;
extern const int CSHIMS_EPOLL_CTL_DEL;

// MARK: eventfd

/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC).
int cshims_eventfd_create(void);
/// Adds 1 to the eventfd counter.
int cshims_eventfd_signal(int fd);
/// Reads (and so resets) the counter; -1 with EAGAIN when it was zero.
int cshims_eventfd_drain(int fd);

// MARK: signals

/// Adds `signo` to the calling thread's blocked mask (pthread_sigmask SIG_BLOCK).
int cshims_block_signal(int signo);
/// Sets `signo` to SIG_IGN for the whole process (used for SIGPIPE).
int cshims_ignore_signal(int signo);
/// signalfd over `count` signals; `fd` -1 creates (nonblocking, cloexec), else updates.
int cshims_signalfd(int fd, const int *signals, int count);
/// Reads one siginfo; returns the signal number, 0 when none is pending, -1 on error.
int cshims_signalfd_read(int fd);
/// Sends `signo` to one thread of this process (tgkill), for directed delivery.
int cshims_thread_kill(pid_t tid, int signo);
/// Names the calling thread (at most 15 bytes are kept).
int cshims_set_thread_name(const char *name);
/// The kernel thread id of the caller (gettid).
pid_t cshims_gettid(void);

// MARK: sockets

/// A socket address in a fixed-size, family-agnostic form for Swift.
typedef struct {
    uint8_t bytes[16];   // 4 used for IPv4
    uint32_t scope_id;   // IPv6 only
    uint16_t port;       // host byte order
    uint8_t family;      // 4 or 6; 0 = unknown/unsupported
} cshims_addr;

/// Formats the IP (without port) as text; returns 0 on success.
int cshims_addr_format(const cshims_addr *addr, char *buf, size_t len);
/// Converts to a sockaddr; returns its length.
socklen_t cshims_addr_to_sockaddr(const cshims_addr *addr, struct sockaddr_storage *out);
/// Converts from a sockaddr; family 0 when the family is not IPv4/IPv6.
void cshims_addr_from_sockaddr(const struct sockaddr_storage *in, cshims_addr *out);

/// socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) for an address family 4/6.
int cshims_socket(uint8_t family, int type);
int cshims_bind(int fd, const cshims_addr *addr);
/// Non-blocking connect: 0 connected, -1 with EINPROGRESS pending, -1 other error.
int cshims_connect(int fd, const cshims_addr *addr);
/// accept4(SOCK_NONBLOCK | SOCK_CLOEXEC), filling the peer address.
int cshims_accept(int fd, cshims_addr *peer);
int cshims_local_address(int fd, cshims_addr *out);
int cshims_peer_address(int fd, cshims_addr *out);
int cshims_set_int_option(int fd, int level, int name, int value);
int cshims_get_int_option(int fd, int level, int name, int *value);
/// Pending socket error (SO_ERROR), the outcome of a non-blocking connect.
int cshims_socket_error(int fd, int *error);
/// send(MSG_NOSIGNAL | MSG_DONTWAIT).
ssize_t cshims_send(int fd, const void *buf, size_t len);
ssize_t cshims_recv(int fd, void *buf, size_t len);
ssize_t cshims_sendto(int fd, const void *buf, size_t len, const cshims_addr *to);
/// shutdown(SHUT_WR).
int cshims_shutdown_write(int fd);

extern const int CSHIMS_SOCK_STREAM;
extern const int CSHIMS_SOCK_DGRAM;
extern const int CSHIMS_SOL_SOCKET;
extern const int CSHIMS_SO_REUSEADDR;
extern const int CSHIMS_SO_RCVBUF;
extern const int CSHIMS_SO_SNDBUF;
extern const int CSHIMS_IPPROTO_TCP;
extern const int CSHIMS_TCP_NODELAY;

// MARK: batched UDP receive

/// A receive slab for recvmmsg: `count` buffers of `size` bytes plus their
/// headers and source addresses, allocated once.
typedef struct cshims_udp_batch cshims_udp_batch;

cshims_udp_batch *cshims_udp_batch_create(int count, int size);
void cshims_udp_batch_destroy(cshims_udp_batch *batch);
/// recvmmsg(MSG_DONTWAIT) into the slab: datagram count, or -1 with errno.
int cshims_udp_batch_receive(cshims_udp_batch *batch, int fd);
const uint8_t *cshims_udp_batch_data(const cshims_udp_batch *batch, int index);
int cshims_udp_batch_length(const cshims_udp_batch *batch, int index);
/// Non-zero when the datagram was larger than the buffer (MSG_TRUNC).
int cshims_udp_batch_truncated(const cshims_udp_batch *batch, int index);
void cshims_udp_batch_source(const cshims_udp_batch *batch, int index, cshims_addr *out);

// MARK: OpenSSL macros

int cshims_ssl_ctx_set_min_proto(SSL_CTX *ctx, int version);
int cshims_ssl_ctx_set_max_proto(SSL_CTX *ctx, int version);
/// SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS.
void cshims_ssl_ctx_set_nonblocking_modes(SSL_CTX *ctx);

// MARK: TLS session resumption (issue 14)

/// Session-ticket encryption keys, shared by a context and the contexts a reload builds
/// after it: the current key encrypts new tickets; the previous one still decrypts (the
/// ticket is then renewed under the current key). Reference counted: the creator holds
/// one reference and every context given them by cshims_ssl_ctx_set_resumption another,
/// dropped when that context is freed (it may outlive its owner inside open connections).
typedef struct cshims_ticket_keys cshims_ticket_keys;
/// Fresh random keys without a previous one, one reference for the caller; NULL on failure.
cshims_ticket_keys *cshims_ticket_keys_create(void);
/// Drops one reference; the keys are wiped and freed with the last.
void cshims_ticket_keys_release(cshims_ticket_keys *keys);
/// The current key becomes the previous one and a new random key encrypts from now on,
/// so tickets live at most two rotation periods. 1 on success (on failure nothing changed).
int cshims_ticket_keys_rotate(cshims_ticket_keys *keys);
/// One new random key and no previous one: no ticket issued so far resumes. 1 on success.
int cshims_ticket_keys_reset(cshims_ticket_keys *keys);

/// Session resumption on a context that serves both sides (no session cache inside OpenSSL).
/// Client (`client_sessions` != 0): each resumable session a server hands out is kept on
///   its SSL until cshims_ssl_take_new_session takes it, and a session given with
///   SSL_set_session is offered for resumption. With 0 the client neither offers nor keeps any.
/// Server (`keys` not NULL): one stateless ticket per handshake (TLS 1.3; TLS 1.2 when the
///   client asks), encrypted with `keys` and valid `lifetime_seconds`, but only to a client
///   whose ClientHello offers one of the context's ALPN protocols (every client when the
///   context has none): a client that offers none gets no ticket and cannot resume. With
///   NULL keys no ticket is issued and none is accepted.
/// Returns 1 on success.
int cshims_ssl_ctx_set_resumption(SSL_CTX *ctx, cshims_ticket_keys *keys, long lifetime_seconds, int client_sessions);
/// The newest resumable session a server handed this client SSL since the last call, or
/// NULL. The caller owns the reference (SSL_SESSION_free). Allocates nothing.
SSL_SESSION *cshims_ssl_take_new_session(SSL *ssl);
int cshims_ssl_set_sni(SSL *ssl, const char *name);
/// ALPN on a context that serves both sides: a client offers `wire` (length-prefixed
/// protocol names, RFC 7301 wire format); a server selects the first of them the client
/// also offers, and otherwise continues without ALPN (no alert), so clients that offer
/// nothing or other protocols are served as before. The context keeps its own copy
/// (freed with it). Returns 1 on success.
int cshims_ssl_ctx_set_alpn(SSL_CTX *ctx, const unsigned char *wire, unsigned length);
/// True when the handshake selected exactly `name` (length `length`) by ALPN.
int cshims_ssl_alpn_selected_is(const SSL *ssl, const unsigned char *name, unsigned length);
/// Requires the peer certificate to carry this IP SAN (text literal).
int cshims_ssl_expect_ip(SSL *ssl, const char *ip);
/// Requires the peer certificate to match this host name.
int cshims_ssl_expect_host(SSL *ssl, const char *host);
/// TLS1_VERSION ... TLS1_3_VERSION for 0...3 (1.0 ... 1.3).
int cshims_tls_version(int minor);

/// Fixes glibc's mmap threshold at `bytes` (mallopt M_MMAP_THRESHOLD), which also stops
/// glibc from raising it after a large free: larger buffers are then always mapped and
/// returned to the kernel when freed. Returns 1 on success.
int cshims_set_mmap_threshold(int bytes);

/// Routes OpenSSL's heap allocations (CRYPTO_set_mem_functions) through a per-thread
/// recycler of small blocks: a request of up to 64 bytes takes a block from the calling
/// thread's free list (at most 256 blocks are kept per thread), larger ones go to glibc
/// unchanged. Each block carries a 16-byte header (size, class). OpenSSL 3.0's record layer
/// makes WPACKET bookkeeping allocations of 40 bytes for every record it writes or reads
/// (crypto/packet.c), so without this a packet on an established TLS connection costs
/// 2 to 4 mallocs (issue 14). Must run before OpenSSL's first allocation; returns 1 when
/// installed, 0 when too late (OpenSSL then keeps using glibc directly).
int cshims_openssl_recycle_small_blocks(void);

#endif
