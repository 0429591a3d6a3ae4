/* An open-addressing map from NUL-terminated strings to pointers, used to
 * intern ids and search terms while a snapshot is built. Keys are borrowed:
 * they must outlive the map. */
#ifndef MODEL_STRMAP_H
#define MODEL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct model_strmap {
    const char **keys;
    size_t *lens;
    void **values;
    size_t capacity; /* a power of two */
    size_t count;
};

void model_strmap_init(struct model_strmap *m);
void model_strmap_free(struct model_strmap *m);
uint64_t model_hash(const char *s, size_t n);
/* Returns the value stored for key[0..n), or NULL. */
void *model_strmap_get(const struct model_strmap *m, const char *key, size_t n);
/* Stores value under key unless the key is there already; returns the value
 * that is stored under key afterwards (the old one when it existed). */
void *model_strmap_put(struct model_strmap *m, const char *key, size_t n,
                       void *value);

#endif
