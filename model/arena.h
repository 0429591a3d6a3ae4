/* A bump allocator owning every allocation of one corpus snapshot.
 * Nothing allocated from an arena is freed individually: model_arena_free()
 * releases all of it at once, which is what "one owner per allocation" means
 * for an immutable snapshot. Not thread-safe while being filled; read-only
 * data in it may be shared freely afterwards. */
#ifndef MODEL_ARENA_H
#define MODEL_ARENA_H

#include <stddef.h>

struct model_arena;

/* Returns a new arena, or NULL when out of memory. */
struct model_arena *model_arena_new(void);
void model_arena_free(struct model_arena *arena);

/* Returns zeroed memory aligned for any scalar type; aborts on out of memory
 * (a snapshot is all or nothing, and the loader runs before serving). */
void *model_arena_alloc(struct model_arena *arena, size_t size);
/* Copies n bytes and appends a NUL. */
char *model_arena_strndup(struct model_arena *arena, const char *s, size_t n);
char *model_arena_strdup(struct model_arena *arena, const char *s);
void *model_arena_memdup(struct model_arena *arena, const void *p, size_t n);
/* Moves every allocation of src into dst and frees src: what was allocated
 * from src now lives (and dies) with dst. Used to merge the arenas that
 * loader threads filled in parallel. */
void model_arena_adopt(struct model_arena *dst, struct model_arena *src);
/* Bytes handed out and bytes reserved from the system. */
size_t model_arena_used(const struct model_arena *arena);
size_t model_arena_reserved(const struct model_arena *arena);

#endif
