/* The model's arena API (model/arena.h) with one malloc per allocation,
 * linked in place of model/arena.c by the fuzz targets and their replays.
 *
 * The real arena carves 4 MiB chunks, so AddressSanitizer sees a chunk as
 * one block and cannot tell a read past the end of one JSON string from a
 * read of the next value. Here every allocation is its own heap block of
 * exactly the size asked for, so such an overflow is reported where it
 * happens. The behaviour is otherwise the same: zeroed memory from
 * model_arena_alloc, 16-byte alignment, everything freed at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* Each allocation is one heap block: this header, then exactly the bytes
 * asked for, so that a read past them is a read past the block. */
struct block {
    struct block *next;
    size_t size;
    _Alignas(16) unsigned char data[];
};

struct model_arena {
    struct block *head;
    size_t used;
};

static void oom(void)
{
    fputs("timeline: out of memory\n", stderr);
    abort();
}

struct model_arena *model_arena_new(void)
{
    return calloc(1, sizeof(struct model_arena));
}

void model_arena_free(struct model_arena *arena)
{
    if (arena == NULL)
        return;
    struct block *b = arena->head;
    while (b != NULL) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    free(arena);
}

static void *raw(struct model_arena *arena, size_t size)
{
    void *p;
    if (posix_memalign(&p, 16, sizeof(struct block) + (size ? size : 1)) != 0)
        oom();
    struct block *b = p;
    b->size = size;
    b->next = arena->head;
    arena->head = b;
    arena->used += size;
    return b->data;
}

void *model_arena_alloc(struct model_arena *arena, size_t size)
{
    void *p = raw(arena, size);
    memset(p, 0, size);
    return p;
}

char *model_arena_strndup(struct model_arena *arena, const char *s, size_t n)
{
    char *p = raw(arena, n + 1);
    if (n > 0)
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
    void *q = raw(arena, n);
    if (n > 0)
        memcpy(q, p, n);
    return q;
}

void model_arena_adopt(struct model_arena *dst, struct model_arena *src)
{
    if (src == NULL)
        return;
    if (src->head != NULL) {
        struct block *tail = src->head;
        while (tail->next != NULL)
            tail = tail->next;
        tail->next = dst->head;
        dst->head = src->head;
    }
    dst->used += src->used;
    free(src);
}

size_t model_arena_used(const struct model_arena *arena)
{
    return arena->used;
}

size_t model_arena_reserved(const struct model_arena *arena)
{
    return arena->used;
}
