/* sha256.c - SHA-256 of files and buffers, as lowercase hex (OpenSSL EVP). */
#include "common/sha256.h"
#include "common/error.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

struct sha256_ctx {
    EVP_MD_CTX *md;
};

sha256_ctx *sha256_new(void)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        os_die(OS_ENOMEM, "cannot start a SHA-256 digest");
    sha256_ctx *ctx = OPENSSL_malloc(sizeof *ctx);
    if (!ctx)
        os_die(OS_ENOMEM, "out of memory");
    ctx->md = md;
    return ctx;
}

void sha256_update(sha256_ctx *ctx, const void *data, size_t len)
{
    EVP_DigestUpdate(ctx->md, data, len);
}

void sha256_final(sha256_ctx *ctx, char hex[65])
{
    unsigned char raw[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx->md, raw, &n);
    for (unsigned int i = 0; i < n && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    hex[64] = '\0';
    EVP_MD_CTX_free(ctx->md);
    OPENSSL_free(ctx);
}

int sha256_file(const char *path, char hex[65], long long *bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return os_error(OS_EIO, "cannot open %s: %s", path, strerror(errno));
    sha256_ctx *ctx = sha256_new();
    char buf[1 << 16];
    size_t n;
    long long total = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        sha256_update(ctx, buf, n);
        total += (long long)n;
    }
    int bad = ferror(f);
    fclose(f);
    sha256_final(ctx, hex);
    if (bad)
        return os_error(OS_EIO, "cannot read %s", path);
    if (bytes)
        *bytes = total;
    return OS_OK;
}

void sha256_buffer(const void *data, size_t len, char hex[65])
{
    sha256_ctx *ctx = sha256_new();
    sha256_update(ctx, data, len);
    sha256_final(ctx, hex);
}
