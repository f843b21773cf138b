#include <stddef.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/// MD5 of `length` bytes at `data` into `digest` (16 bytes), on a context that
/// lives on the caller's stack: no heap allocation, unlike the one-shot
/// EVP_Digest, which allocates its EVP_MD_CTX and the provider's state per call
/// (dskit-kv-ring.md §1: one MD5 per packet frame, sent and received).
///
/// OpenSSL 3 marks the MD5_* functions deprecated in favour of EVP, but keeps
/// them as plain, allocation-free code. The deprecation is silenced for this
/// body only, so every other use of the headers still warns.
static inline void copenssl_md5(const void *data, size_t length, unsigned char digest[16]) {
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
    MD5_CTX context;
    MD5_Init(&context);
    MD5_Update(&context, data, length);
    MD5_Final(digest, &context);
#pragma clang diagnostic pop
}
