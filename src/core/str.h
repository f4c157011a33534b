/* str.h — safe string and number parsing (the replacements for atoi & kin).
 *
 * Each parser reads exactly n bytes (no NUL needed), accepts no surrounding
 * junk unless it says so, and returns 0 or -1.
 */
#ifndef TRIPOD_CORE_STR_H
#define TRIPOD_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int str_to_i64(const char *s, size_t n, int64_t *out);
int str_to_int(const char *s, size_t n, int *out);
int str_to_double(const char *s, size_t n, double *out); /* finite values only */
/* NUL-terminated convenience forms. */
int str_to_i64z(const char *s, int64_t *out);
int str_to_intz(const char *s, int *out);

/* Trims ASCII blanks in place on a (pointer, length) pair. */
void str_trim(const char **s, size_t *n);
bool str_eq(const char *a, size_t an, const char *b); /* b NUL-terminated */
bool str_ieq(const char *a, size_t an, const char *b);
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* Copies at most cap-1 bytes and always NUL-terminates; returns strlen(src)
 * so truncation shows as a return >= cap (strlcpy semantics). */
size_t str_copy(char *dst, const char *src, size_t cap);
/* 64-bit FNV-1a, for hash tables and content keys. */
uint64_t str_hash(const void *p, size_t n);
/* The same hash fed in pieces: h = STR_HASH_INIT, then h = str_hash_add(h, ...)
 * for each piece; the result equals str_hash over the concatenation. */
#define STR_HASH_INIT UINT64_C(14695981039346656037)
uint64_t str_hash_add(uint64_t h, const void *p, size_t n);

#endif
