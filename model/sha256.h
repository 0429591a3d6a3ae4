/* SHA-256 (FIPS 180-4), used to prove that an original article is the one a
 * corpus was annotated against, and to derive the corpus version. */
#ifndef MODEL_SHA256_H
#define MODEL_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct model_sha256 {
    uint32_t state[8];
    uint64_t length;
    unsigned char block[64];
    size_t fill;
};

void model_sha256_init(struct model_sha256 *ctx);
void model_sha256_update(struct model_sha256 *ctx, const void *data, size_t n);
void model_sha256_final(struct model_sha256 *ctx, unsigned char digest[32]);
/* Writes 64 lowercase hex digits and a NUL into hex. */
void model_sha256_hex(const void *data, size_t n, char hex[65]);
void model_hex_encode(const unsigned char *bytes, size_t n, char *hex);

#endif
