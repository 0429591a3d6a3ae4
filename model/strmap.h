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
/* Fast 64-bit hashes of bytes (not cryptographic). */
uint64_t model_hash(const char *s, size_t n);
uint64_t model_hash_seeded(const void *data, size_t n, uint64_t seed);
/* Returns the value stored for key[0..n), or NULL. */
void *model_strmap_get(const struct model_strmap *m, const char *key, size_t n);
/* Stores value under key unless the key is there already; returns the value
 * that is stored under key afterwards (the old one when it existed). */
void *model_strmap_put(struct model_strmap *m, const char *key, size_t n,
                       void *value);

/* A set of entities keyed by their id, for entity structs whose first
 * member is their const char *id. Eight bytes a slot, sized once: the id
 * index of a snapshot, and the loader's duplicate check. */
struct model_arena;
struct model_idtable {
    const void **slots;
    size_t mask;
};

/* Room for n entities, allocated in arena. */
void model_idtable_init(struct model_idtable *t, size_t n, struct model_arena *arena);
/* Adds entity unless one with its id is there; returns the one stored. */
const void *model_idtable_put(struct model_idtable *t, const void *entity);
/* The entity with this id, or NULL. */
const void *model_idtable_get(const struct model_idtable *t, const char *id);

#endif
