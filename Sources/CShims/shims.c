#define _GNU_SOURCE
#include "CShims.h"
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <malloc.h>
#include <sys/syscall.h>
#include <openssl/x509v3.h>
#include <openssl/rand.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

int cshims_errno(void) { return errno; }

uint64_t cshims_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void cshims_strerror(int err, char *buf, size_t len) {
    if (len == 0) return;
    char scratch[256];
    const char *text = strerror_r(err, scratch, sizeof scratch); // GNU: may return a static string
    size_t n = strlen(text);
    if (n >= len) n = len - 1;
    memcpy(buf, text, n);
    buf[n] = 0;
}

// MARK: epoll

const uint32_t CSHIMS_EPOLLIN = EPOLLIN;
const uint32_t CSHIMS_EPOLLOUT = EPOLLOUT;
const uint32_t CSHIMS_EPOLLERR = EPOLLERR;
const uint32_t CSHIMS_EPOLLHUP = EPOLLHUP;
const uint32_t CSHIMS_EPOLLRDHUP = EPOLLRDHUP;
const int CSHIMS_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
const int CSHIMS_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
const int CSHIMS_EPOLL_CTL_DEL = EPOLL_CTL_DEL;

int cshims_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int cshims_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &ev);
}

int cshims_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms) {
    struct epoll_event evs[64];
    if (max > 64) max = 64;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        tokens[i] = evs[i].data.u64;
        events[i] = evs[i].events;
    }
    return n;
}

// MARK: eventfd

int cshims_eventfd_create(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int cshims_eventfd_signal(int fd) {
    uint64_t one = 1;
    ssize_t n;
    do { n = write(fd, &one, sizeof one); } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof one ? 0 : -1;
}

int cshims_eventfd_drain(int fd) {
    uint64_t value;
    ssize_t n;
    do { n = read(fd, &value, sizeof value); } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof value ? 0 : -1;
}

// MARK: signals

int cshims_block_signal(int signo) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int cshims_ignore_signal(int signo) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    return sigaction(signo, &action, NULL);
}

int cshims_signalfd(int fd, const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    return signalfd(fd, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int cshims_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    if (n == (ssize_t)sizeof info) return (int)info.ssi_signo;
    if (n < 0 && errno == EAGAIN) return 0;
    return -1;
}

int cshims_thread_kill(pid_t tid, int signo) {
    return (int)syscall(SYS_tgkill, getpid(), tid, signo);
}

int cshims_set_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = 0;
    return pthread_setname_np(pthread_self(), truncated);
}

pid_t cshims_gettid(void) { return (pid_t)syscall(SYS_gettid); }

// MARK: sockets

const int CSHIMS_SOCK_STREAM = SOCK_STREAM;
const int CSHIMS_SOCK_DGRAM = SOCK_DGRAM;
const int CSHIMS_SOL_SOCKET = SOL_SOCKET;
const int CSHIMS_SO_REUSEADDR = SO_REUSEADDR;
const int CSHIMS_SO_RCVBUF = SO_RCVBUF;
const int CSHIMS_SO_SNDBUF = SO_SNDBUF;
const int CSHIMS_IPPROTO_TCP = IPPROTO_TCP;
const int CSHIMS_TCP_NODELAY = TCP_NODELAY;

int cshims_addr_format(const cshims_addr *addr, char *buf, size_t len) {
    int af = addr->family == 4 ? AF_INET : addr->family == 6 ? AF_INET6 : -1;
    if (af < 0) return -1;
    return inet_ntop(af, addr->bytes, buf, (socklen_t)len) ? 0 : -1;
}

socklen_t cshims_addr_to_sockaddr(const cshims_addr *addr, struct sockaddr_storage *out) {
    memset(out, 0, sizeof *out);
    if (addr->family == 4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)out;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(addr->port);
        memcpy(&sin->sin_addr, addr->bytes, 4);
        return sizeof *sin;
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(addr->port);
    sin6->sin6_scope_id = addr->scope_id;
    memcpy(&sin6->sin6_addr, addr->bytes, 16);
    return sizeof *sin6;
}

void cshims_addr_from_sockaddr(const struct sockaddr_storage *in, cshims_addr *out) {
    memset(out, 0, sizeof *out);
    if (in->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)in;
        out->family = 4;
        out->port = ntohs(sin->sin_port);
        memcpy(out->bytes, &sin->sin_addr, 4);
    } else if (in->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)in;
        out->family = 6;
        out->port = ntohs(sin6->sin6_port);
        out->scope_id = sin6->sin6_scope_id;
        memcpy(out->bytes, &sin6->sin6_addr, 16);
    }
}

int cshims_socket(uint8_t family, int type) {
    int af = family == 4 ? AF_INET : AF_INET6;
    return socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int cshims_bind(int fd, const cshims_addr *addr) {
    struct sockaddr_storage ss;
    socklen_t len = cshims_addr_to_sockaddr(addr, &ss);
    return bind(fd, (struct sockaddr *)&ss, len);
}

int cshims_connect(int fd, const cshims_addr *addr) {
    struct sockaddr_storage ss;
    socklen_t len = cshims_addr_to_sockaddr(addr, &ss);
    return connect(fd, (struct sockaddr *)&ss, len);
}

int cshims_accept(int fd, cshims_addr *peer) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    memset(&ss, 0, sizeof ss);
    int c = accept4(fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c >= 0) cshims_addr_from_sockaddr(&ss, peer);
    return c;
}

int cshims_local_address(int fd, cshims_addr *out) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    memset(&ss, 0, sizeof ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
    cshims_addr_from_sockaddr(&ss, out);
    return 0;
}

int cshims_peer_address(int fd, cshims_addr *out) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    memset(&ss, 0, sizeof ss);
    if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
    cshims_addr_from_sockaddr(&ss, out);
    return 0;
}

int cshims_set_int_option(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof value);
}

int cshims_get_int_option(int fd, int level, int name, int *value) {
    socklen_t len = sizeof *value;
    return getsockopt(fd, level, name, value, &len);
}

int cshims_socket_error(int fd, int *error) {
    return cshims_get_int_option(fd, SOL_SOCKET, SO_ERROR, error);
}

ssize_t cshims_send(int fd, const void *buf, size_t len) {
    return send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

ssize_t cshims_recv(int fd, void *buf, size_t len) {
    return recv(fd, buf, len, MSG_DONTWAIT);
}

ssize_t cshims_sendto(int fd, const void *buf, size_t len, const cshims_addr *to) {
    struct sockaddr_storage ss;
    socklen_t slen = cshims_addr_to_sockaddr(to, &ss);
    return sendto(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&ss, slen);
}

int cshims_shutdown_write(int fd) { return shutdown(fd, SHUT_WR); }

// MARK: batched UDP receive

struct cshims_udp_batch {
    int count;
    int size;
    uint8_t *slab;
    struct mmsghdr *headers;
    struct iovec *iovecs;
    struct sockaddr_storage *sources;
};

cshims_udp_batch *cshims_udp_batch_create(int count, int size) {
    if (count <= 0 || size <= 0) return NULL;
    cshims_udp_batch *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->count = count;
    b->size = size;
    b->slab = malloc((size_t)count * (size_t)size);
    b->headers = calloc((size_t)count, sizeof *b->headers);
    b->iovecs = calloc((size_t)count, sizeof *b->iovecs);
    b->sources = calloc((size_t)count, sizeof *b->sources);
    if (!b->slab || !b->headers || !b->iovecs || !b->sources) {
        cshims_udp_batch_destroy(b);
        return NULL;
    }
    for (int i = 0; i < count; i++) {
        b->iovecs[i].iov_base = b->slab + (size_t)i * (size_t)size;
        b->iovecs[i].iov_len = (size_t)size;
    }
    return b;
}

void cshims_udp_batch_destroy(cshims_udp_batch *b) {
    if (!b) return;
    free(b->slab);
    free(b->headers);
    free(b->iovecs);
    free(b->sources);
    free(b);
}

int cshims_udp_batch_receive(cshims_udp_batch *b, int fd) {
    for (int i = 0; i < b->count; i++) {
        struct msghdr *h = &b->headers[i].msg_hdr;
        memset(h, 0, sizeof *h);
        h->msg_name = &b->sources[i];
        h->msg_namelen = sizeof b->sources[i];
        h->msg_iov = &b->iovecs[i];
        h->msg_iovlen = 1;
        b->headers[i].msg_len = 0;
    }
    return recvmmsg(fd, b->headers, (unsigned)b->count, MSG_DONTWAIT, NULL);
}

const uint8_t *cshims_udp_batch_data(const cshims_udp_batch *b, int index) {
    return b->slab + (size_t)index * (size_t)b->size;
}

int cshims_udp_batch_length(const cshims_udp_batch *b, int index) {
    unsigned len = b->headers[index].msg_len;
    return len > (unsigned)b->size ? b->size : (int)len;
}

int cshims_udp_batch_truncated(const cshims_udp_batch *b, int index) {
    return (b->headers[index].msg_hdr.msg_flags & MSG_TRUNC) != 0;
}

void cshims_udp_batch_source(const cshims_udp_batch *b, int index, cshims_addr *out) {
    cshims_addr_from_sockaddr(&b->sources[index], out);
}

// MARK: OpenSSL macros

int cshims_ssl_ctx_set_min_proto(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

int cshims_ssl_ctx_set_max_proto(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

void cshims_ssl_ctx_set_nonblocking_modes(SSL_CTX *ctx) {
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
                              | SSL_MODE_RELEASE_BUFFERS);
}

/// The server's ALPN list lives in the context's ex_data, freed with the context,
/// so a handshake on an SSL that outlives a reload still finds it.
typedef struct {
    unsigned length;
    unsigned char wire[];
} cshims_alpn_list;

static int cshims_alpn_index = -1;
static pthread_once_t cshims_alpn_once = PTHREAD_ONCE_INIT;

static void cshims_alpn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
    (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
    OPENSSL_free(ptr);
}

static void cshims_alpn_make_index(void) {
    cshims_alpn_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, cshims_alpn_free);
}

static int cshims_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                              const unsigned char *in, unsigned int inlen, void *arg) {
    (void)arg;
    const cshims_alpn_list *ours = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cshims_alpn_index);
    if (ours == NULL) return SSL_TLSEXT_ERR_NOACK;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, ours->wire, ours->length, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

int cshims_ssl_ctx_set_alpn(SSL_CTX *ctx, const unsigned char *wire, unsigned length) {
    pthread_once(&cshims_alpn_once, cshims_alpn_make_index);
    if (cshims_alpn_index < 0 || length == 0) return 0;
    if (SSL_CTX_set_alpn_protos(ctx, wire, length) != 0) return 0;  // 0 means success here
    cshims_alpn_list *copy = OPENSSL_malloc(sizeof(cshims_alpn_list) + length);
    if (copy == NULL) return 0;
    copy->length = length;
    memcpy(copy->wire, wire, length);
    if (SSL_CTX_set_ex_data(ctx, cshims_alpn_index, copy) != 1) {
        OPENSSL_free(copy);
        return 0;
    }
    SSL_CTX_set_alpn_select_cb(ctx, cshims_alpn_select, NULL);
    return 1;
}

int cshims_ssl_alpn_selected_is(const SSL *ssl, const unsigned char *name, unsigned length) {
    const unsigned char *selected = NULL;
    unsigned int selectedLength = 0;
    SSL_get0_alpn_selected(ssl, &selected, &selectedLength);
    return selected != NULL && selectedLength == length && memcmp(selected, name, length) == 0;
}

// MARK: session resumption

typedef struct {
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
} cshims_ticket_key;

struct cshims_ticket_keys {
    int references;
    int has_previous;
    cshims_ticket_key current;
    cshims_ticket_key previous;
};

static int cshims_keys_index = -1;
static int cshims_session_index = -1;
static pthread_once_t cshims_resumption_once = PTHREAD_ONCE_INIT;

static int cshims_ticket_key_fill(cshims_ticket_key *key) {
    return RAND_bytes(key->name, sizeof key->name) == 1 && RAND_bytes(key->aes, sizeof key->aes) == 1
        && RAND_bytes(key->hmac, sizeof key->hmac) == 1;
}

cshims_ticket_keys *cshims_ticket_keys_create(void) {
    cshims_ticket_keys *keys = OPENSSL_zalloc(sizeof *keys);
    if (keys == NULL) return NULL;
    keys->references = 1;
    if (!cshims_ticket_key_fill(&keys->current)) {
        OPENSSL_clear_free(keys, sizeof *keys);
        return NULL;
    }
    return keys;
}

void cshims_ticket_keys_release(cshims_ticket_keys *keys) {
    if (keys == NULL) return;
    if (__atomic_sub_fetch(&keys->references, 1, __ATOMIC_ACQ_REL) == 0) OPENSSL_clear_free(keys, sizeof *keys);
}

int cshims_ticket_keys_rotate(cshims_ticket_keys *keys) {
    cshims_ticket_key next;
    if (!cshims_ticket_key_fill(&next)) return 0;
    keys->previous = keys->current;
    keys->current = next;
    keys->has_previous = 1;
    OPENSSL_cleanse(&next, sizeof next);
    return 1;
}

int cshims_ticket_keys_reset(cshims_ticket_keys *keys) {
    cshims_ticket_key next;
    if (!cshims_ticket_key_fill(&next)) return 0;
    keys->current = next;
    OPENSSL_cleanse(&keys->previous, sizeof keys->previous);
    keys->has_previous = 0;
    OPENSSL_cleanse(&next, sizeof next);
    return 1;
}

static void cshims_keys_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
    (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
    cshims_ticket_keys_release(ptr);
}

static void cshims_session_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
    (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
    if (ptr != NULL) SSL_SESSION_free(ptr);
}

static void cshims_resumption_make_indexes(void) {
    cshims_keys_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, cshims_keys_free);
    cshims_session_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, cshims_session_free);
}

/// RFC 5077 / OpenSSL's ticket callback: AES-256-CBC + HMAC-SHA256 under our keys.
/// Returns 1 (key found), 2 (previous key: decrypt and renew), 0 (unknown key: full
/// handshake), -1 (error).
static int cshims_ticket_key_callback(SSL *ssl, unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *cipher,
                                      EVP_MAC_CTX *mac, int encrypt) {
    const cshims_ticket_keys *keys = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cshims_keys_index);
    if (keys == NULL) return encrypt ? -1 : 0;
    const cshims_ticket_key *key;
    int found = 1;
    if (encrypt) {
        key = &keys->current;
        memcpy(name, key->name, sizeof key->name);
        if (RAND_bytes(iv, 16) != 1) return -1;  // AES-CBC's IV; OpenSSL's buffer holds EVP_MAX_IV_LENGTH
        if (EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, key->aes, iv) != 1) return -1;
    } else {
        if (memcmp(name, keys->current.name, sizeof keys->current.name) == 0) {
            key = &keys->current;
        } else if (keys->has_previous && memcmp(name, keys->previous.name, sizeof keys->previous.name) == 0) {
            key = &keys->previous;
            found = 2;
        } else {
            return 0;
        }
        if (EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, key->aes, iv) != 1) return -1;
    }
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)key->hmac, sizeof key->hmac);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[2] = OSSL_PARAM_construct_end();
    if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
    return found;
}

/// True when the raw ALPN extension `ext` (RFC 7301: 2-byte list length, then 1-byte
/// length-prefixed names) offers a name in `ours`.
static int cshims_alpn_offers(const unsigned char *ext, size_t length, const cshims_alpn_list *ours) {
    if (length < 2) return 0;
    size_t list = ((size_t)ext[0] << 8) | ext[1];
    if (list + 2 > length) return 0;
    const unsigned char *offered = ext + 2;
    for (size_t i = 0; i < list;) {
        size_t n = offered[i];
        if (n == 0 || i + 1 + n > list) return 0;
        for (unsigned j = 0; j < ours->length;) {
            unsigned m = ours->wire[j];
            if (m == n && memcmp(ours->wire + j + 1, offered + i + 1, n) == 0) return 1;
            j += 1 + m;
        }
        i += 1 + n;
    }
    return 0;
}

/// Server: tickets for this connection only when the context has ticket keys and the
/// client offers one of our ALPN protocols (or the context has none). Runs before
/// OpenSSL looks at a presented ticket, so a client without them cannot resume either.
static int cshims_client_hello_callback(SSL *ssl, int *alert, void *arg) {
    (void)alert; (void)arg;
    SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
    const cshims_alpn_list *ours = cshims_alpn_index < 0 ? NULL : SSL_CTX_get_ex_data(ctx, cshims_alpn_index);
    int tickets = SSL_CTX_get_ex_data(ctx, cshims_keys_index) != NULL;
    if (tickets && ours != NULL) {
        const unsigned char *ext = NULL;
        size_t length = 0;
        tickets = SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &ext, &length)
            && cshims_alpn_offers(ext, length, ours);
    }
    if (tickets) {
        SSL_clear_options(ssl, SSL_OP_NO_TICKET);
        SSL_set_num_tickets(ssl, 1);
    } else {
        SSL_set_options(ssl, SSL_OP_NO_TICKET);
        SSL_set_num_tickets(ssl, 0);
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

/// Client: keeps a copy of the newest resumable session on the SSL. A copy, because
/// OpenSSL marks the SSL's own session not resumable when the SSL is freed without a
/// close_notify sent (SSL_free -> ssl_clear_bad_session), which is how most packet
/// connections end; a TLS 1.3 ticket stays valid however its connection ended.
static int cshims_new_session_callback(SSL *ssl, SSL_SESSION *session) {
    if (SSL_is_server(ssl) || !SSL_SESSION_is_resumable(session)) return 0;
    SSL_SESSION *copy = SSL_SESSION_dup(session);
    if (copy == NULL) return 0;
    SSL_SESSION *older = SSL_get_ex_data(ssl, cshims_session_index);
    if (SSL_set_ex_data(ssl, cshims_session_index, copy) != 1) {
        SSL_SESSION_free(copy);
        return 0;
    }
    if (older != NULL) SSL_SESSION_free(older);
    return 0;  // OpenSSL keeps its reference to `session`
}

int cshims_ssl_ctx_set_resumption(SSL_CTX *ctx, cshims_ticket_keys *keys, long lifetime_seconds, int client_sessions) {
    pthread_once(&cshims_resumption_once, cshims_resumption_make_indexes);
    pthread_once(&cshims_alpn_once, cshims_alpn_make_index);
    if (cshims_keys_index < 0 || cshims_session_index < 0) return 0;
    // Decides per server connection whether tickets are issued (and accepted).
    SSL_CTX_set_client_hello_cb(ctx, cshims_client_hello_callback, NULL);
    if (keys != NULL) {
        if (SSL_CTX_set_ex_data(ctx, cshims_keys_index, keys) != 1) return 0;
        __atomic_add_fetch(&keys->references, 1, __ATOMIC_ACQ_REL);
        if (SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, cshims_ticket_key_callback) != 1) return 0;
        SSL_CTX_set_timeout(ctx, lifetime_seconds > 0 ? lifetime_seconds : 1);
        // Required to resume when client certificates are verified (TLS 1.2 fails the
        // handshake without one); tickets are bound to it.
        static const unsigned char sid_context[] = "memberlistd";
        if (SSL_CTX_set_session_id_context(ctx, sid_context, sizeof sid_context - 1) != 1) return 0;
        if (SSL_CTX_set_num_tickets(ctx, 1) != 1) return 0;
    } else {
        if (SSL_CTX_set_num_tickets(ctx, 0) != 1) return 0;
    }
    if (keys == NULL && !client_sessions) SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (client_sessions) {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
        SSL_CTX_sess_set_new_cb(ctx, cshims_new_session_callback);
    } else {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    }
    return 1;
}

SSL_SESSION *cshims_ssl_take_new_session(SSL *ssl) {
    if (cshims_session_index < 0) return NULL;
    SSL_SESSION *session = SSL_get_ex_data(ssl, cshims_session_index);
    if (session != NULL) SSL_set_ex_data(ssl, cshims_session_index, NULL);
    return session;
}

int cshims_ssl_set_sni(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

int cshims_ssl_expect_ip(SSL *ssl, const char *ip) {
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
    return X509_VERIFY_PARAM_set1_ip_asc(param, ip);
}

int cshims_ssl_expect_host(SSL *ssl, const char *host) {
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return X509_VERIFY_PARAM_set1_host(param, host, 0);
}

int cshims_tls_version(int minor) {
    switch (minor) {
    case 0: return TLS1_VERSION;
    case 1: return TLS1_1_VERSION;
    case 2: return TLS1_2_VERSION;
    default: return TLS1_3_VERSION;
    }
}

int cshims_set_mmap_threshold(int bytes) {
    return mallopt(M_MMAP_THRESHOLD, bytes);
}

// MARK: OpenSSL small-block recycling

enum { CSHIMS_SMALL_BLOCK = 64, CSHIMS_SMALL_BLOCKS_KEPT = 256 };

/// In front of every block: 16 bytes, so the payload keeps malloc's alignment.
typedef struct {
    size_t size;
    size_t small;
} cshims_block;

/// The calling thread's free small blocks, linked through their payloads.
static __thread cshims_block *cshims_free_blocks = NULL;
static __thread int cshims_free_block_count = 0;

static void *cshims_openssl_malloc(size_t size, const char *file, int line) {
    (void)file; (void)line;
    cshims_block *block;
    if (size <= CSHIMS_SMALL_BLOCK) {
        block = cshims_free_blocks;
        if (block != NULL) {
            cshims_free_blocks = *(cshims_block **)(block + 1);
            cshims_free_block_count--;
        } else {
            block = malloc(sizeof *block + CSHIMS_SMALL_BLOCK);
            if (block == NULL) return NULL;
        }
        block->small = 1;
    } else {
        block = malloc(sizeof *block + size);
        if (block == NULL) return NULL;
        block->small = 0;
    }
    block->size = size;
    return block + 1;
}

static void cshims_openssl_free(void *pointer, const char *file, int line) {
    (void)file; (void)line;
    if (pointer == NULL) return;
    cshims_block *block = (cshims_block *)pointer - 1;
    if (block->small && cshims_free_block_count < CSHIMS_SMALL_BLOCKS_KEPT) {
        *(cshims_block **)pointer = cshims_free_blocks;
        cshims_free_blocks = block;
        cshims_free_block_count++;
        return;
    }
    free(block);
}

static void *cshims_openssl_realloc(void *pointer, size_t size, const char *file, int line) {
    if (pointer == NULL) return cshims_openssl_malloc(size, file, line);
    if (size == 0) {
        cshims_openssl_free(pointer, file, line);
        return NULL;
    }
    cshims_block *block = (cshims_block *)pointer - 1;
    if (block->small) {
        if (size <= CSHIMS_SMALL_BLOCK) {
            block->size = size;
            return pointer;
        }
        void *larger = cshims_openssl_malloc(size, file, line);
        if (larger == NULL) return NULL;
        memcpy(larger, pointer, block->size);
        cshims_openssl_free(pointer, file, line);
        return larger;
    }
    cshims_block *moved = realloc(block, sizeof *moved + size);
    if (moved == NULL) return NULL;
    moved->size = size;
    return moved + 1;
}

int cshims_openssl_recycle_small_blocks(void) {
    return CRYPTO_set_mem_functions(cshims_openssl_malloc, cshims_openssl_realloc, cshims_openssl_free);
}
