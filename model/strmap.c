#include "strmap.h"

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

uint64_t model_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
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
