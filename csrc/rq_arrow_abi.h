/*
 * rq_arrow_abi.h — the Arrow C Data Interface and C Stream Interface structs,
 * written from the Arrow specification ("The Arrow C data interface" and
 * "The Arrow C stream interface", arrow.apache.org/docs/format/).
 *
 * Ownership rules (from the spec, restated because every riffq file relies
 * on them):
 *   - A struct whose `release` is NULL is released (moved-from / empty).
 *   - The consumer that holds a struct must call its `release` exactly once;
 *     "moving" a struct = memcpy it, then set the source's `release` to NULL.
 *   - Children and dictionaries of a struct are owned by their parent and are
 *     released by the parent's `release`; never release them separately.
 *   - ArrowArrayStream.get_next() fills an ArrowArray that the caller then
 *     owns; an array whose `release` is NULL after a successful get_next()
 *     means end of stream.
 */
#ifndef RQ_ARROW_ABI_H
#define RQ_ARROW_ABI_H

#include <stdint.h>

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

#endif /* RQ_ARROW_ABI_H */
