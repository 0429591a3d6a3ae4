#include "strmap.h"

#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void model_strmap_init(struct model_strmap *m)
{
    memset(m, 0, sizeof(*m));
}

void model_strmap_free(struct model_strmap *m)
{
    free(m->keys);
    free(m->lens);
    free(m->values);
    memset(m, 0, sizeof(*m));
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    return x ^ (x >> 32);
}

uint64_t model_hash_seeded(const void *data, size_t n, uint64_t seed)
{
    /* Eight bytes at a time; not for adversarial keys, which the corpus is
     * not (every id is checked against the slug syntax first anyway). */
    const unsigned char *p = data;
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ mix(w)) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, p, n);
    return mix(h ^ tail ^ ((uint64_t)n << 56));
}

uint64_t model_hash(const char *s, size_t n)
{
    return model_hash_seeded(s, n, 0x243f6a8885a308d3ull);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL) {
        fputs("timeline: out of memory\n", stderr);
        abort();
    }
    return p;
}

static size_t slot_of(const struct model_strmap *m, const char *key, size_t n)
{
    size_t mask = m->capacity - 1;
    size_t i = (size_t)model_hash(key, n) & mask;
    while (m->keys[i] != NULL &&
           !(m->lens[i] == n && memcmp(m->keys[i], key, n) == 0))
        i = (i + 1) & mask;
    return i;
}

static void strmap_grow(struct model_strmap *m)
{
    struct model_strmap bigger;
    bigger.capacity = m->capacity ? m->capacity * 2 : 64;
    bigger.count = m->count;
    bigger.keys = xcalloc(bigger.capacity, sizeof(*bigger.keys));
    bigger.lens = xcalloc(bigger.capacity, sizeof(*bigger.lens));
    bigger.values = xcalloc(bigger.capacity, sizeof(*bigger.values));
    for (size_t i = 0; i < m->capacity; i++) {
        if (m->keys[i] == NULL)
            continue;
        size_t j = slot_of(&bigger, m->keys[i], m->lens[i]);
        bigger.keys[j] = m->keys[i];
        bigger.lens[j] = m->lens[i];
        bigger.values[j] = m->values[i];
    }
    model_strmap_free(m);
    *m = bigger;
}

void *model_strmap_get(const struct model_strmap *m, const char *key, size_t n)
{
    if (m->capacity == 0)
        return NULL;
    size_t i = slot_of(m, key, n);
    return m->keys[i] != NULL ? m->values[i] : NULL;
}

void *model_strmap_put(struct model_strmap *m, const char *key, size_t n,
                       void *value)
{
    if ((m->count + 1) * 2 > m->capacity)
        strmap_grow(m);
    size_t i = slot_of(m, key, n);
    if (m->keys[i] != NULL)
        return m->values[i];
    m->keys[i] = key;
    m->lens[i] = n;
    m->values[i] = value;
    m->count++;
    return value;
}

static const char *entity_id(const void *entity)
{
    return *(const char *const *)entity;
}

void model_idtable_init(struct model_idtable *t, size_t n, struct model_arena *arena)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    t->slots = model_arena_alloc(arena, cap * sizeof(*t->slots));
    t->mask = cap - 1;
}

const void *model_idtable_put(struct model_idtable *t, const void *entity)
{
    const char *id = entity_id(entity);
    size_t n = strlen(id);
    size_t i = (size_t)model_hash(id, n) & t->mask;
    while (t->slots[i] != NULL) {
        if (strcmp(entity_id(t->slots[i]), id) == 0)
            return t->slots[i];
        i = (i + 1) & t->mask;
    }
    t->slots[i] = entity;
    return entity;
}

const void *model_idtable_get(const struct model_idtable *t, const char *id)
{
    if (t->slots == NULL)
        return NULL;
    size_t i = (size_t)model_hash(id, strlen(id)) & t->mask;
    while (t->slots[i] != NULL) {
        if (strcmp(entity_id(t->slots[i]), id) == 0)
            return t->slots[i];
        i = (i + 1) & t->mask;
    }
    return NULL;
}
