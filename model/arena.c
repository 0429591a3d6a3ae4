#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MODEL_ARENA_EXACT
/* For the fuzz targets (tests/fuzz): every allocation is a heap block of
 * its own, of exactly the size asked for, so that AddressSanitizer reports
 * a read past one JSON string where it happens instead of reading on into
 * the next value of a 4 MiB chunk. Each block's data is 16-byte aligned. */
#define ARENA_CHUNK 0u
#define ARENA_ALIGN 1u
#else
#define ARENA_CHUNK (4u << 20)
#define ARENA_ALIGN 16u
#endif

struct arena_chunk {
    struct arena_chunk *next;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char data[];
};

struct model_arena {
    struct arena_chunk *head;
    size_t used;
    size_t reserved;
};

struct model_arena *model_arena_new(void)
{
    return calloc(1, sizeof(struct model_arena));
}

void model_arena_free(struct model_arena *arena)
{
    if (arena == NULL)
        return;
    struct arena_chunk *c = arena->head;
    while (c != NULL) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(arena);
}

static struct arena_chunk *arena_grow(struct model_arena *arena, size_t need)
{
    size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
    struct arena_chunk *c = malloc(sizeof(*c) + size);
    if (c == NULL) {
        fputs("timeline: out of memory\n", stderr);
        abort();
    }
    c->size = size;
    c->used = 0;
    /* A large block goes behind the head so the head's free space is kept. */
    if (arena->head != NULL && need > ARENA_CHUNK) {
        c->next = arena->head->next;
        arena->head->next = c;
    } else {
        c->next = arena->head;
        arena->head = c;
    }
    arena->reserved += size;
    return c;
}

/* Uninitialised memory; the copy functions fill all of it. */
static void *arena_raw(struct model_arena *arena, size_t size)
{
    size_t rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (rounded == 0)
        rounded = ARENA_ALIGN;
    struct arena_chunk *c = arena->head;
    if (c == NULL || c->size - c->used < rounded)
        c = arena_grow(arena, rounded);
    void *p = c->data + c->used;
    c->used += rounded;
    arena->used += rounded;
    return p;
}

void *model_arena_alloc(struct model_arena *arena, size_t size)
{
    void *p = arena_raw(arena, size);
    memset(p, 0, size);
    return p;
}

char *model_arena_strndup(struct model_arena *arena, const char *s, size_t n)
{
    char *p = arena_raw(arena, n + 1);
    if (n > 0) /* s may be NULL then */
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *model_arena_strdup(struct model_arena *arena, const char *s)
{
    return model_arena_strndup(arena, s, strlen(s));
}

void *model_arena_memdup(struct model_arena *arena, const void *p, size_t n)
{
    void *q = arena_raw(arena, n);
    if (n > 0)
        memcpy(q, p, n);
    return q;
}

size_t model_arena_used(const struct model_arena *arena)
{
    return arena->used;
}

size_t model_arena_reserved(const struct model_arena *arena)
{
    return arena->reserved;
}

void model_arena_adopt(struct model_arena *dst, struct model_arena *src)
{
    if (src == NULL)
        return;
    if (src->head != NULL) {
        struct arena_chunk *tail = src->head;
        while (tail->next != NULL)
            tail = tail->next;
        tail->next = dst->head;
        dst->head = src->head;
    }
    dst->used += src->used;
    dst->reserved += src->reserved;
    free(src);
}
