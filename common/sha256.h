/* sha256.h - SHA-256 of files and buffers, as lowercase hex (OpenSSL EVP). */
#ifndef OCCSNAP_SHA256_H
#define OCCSNAP_SHA256_H

#include <stddef.h>

typedef struct sha256_ctx sha256_ctx;

/* Streaming interface; sha256_new dies on OOM, sha256_final frees ctx and
 * writes 64 hex digits plus NUL into hex. */
sha256_ctx *sha256_new(void);
void sha256_update(sha256_ctx *ctx, const void *data, size_t len);
void sha256_final(sha256_ctx *ctx, char hex[65]);

/* Hashes a whole file; returns an os_result (OS_EIO if unreadable). */
int sha256_file(const char *path, char hex[65], long long *bytes);
/* Hashes a buffer; cannot fail. */
void sha256_buffer(const void *data, size_t len, char hex[65]);

#endif
