/* value.h — the words Tripod reads for a sex and for a yes/no flag.
 *
 * One rule for every reader (the Tuva importer, the Synthea importer, the
 * analytics engine), taken from the Tuva Project input layer: gender is
 * male, female or unknown; flags are 0/1, and the Y/N variants found in
 * claims extracts. Each function reads exactly n bytes (no NUL needed),
 * ignores ASCII blanks around the word and ASCII case, and returns 0, or -1
 * when the text is none of the words (then *out is left alone): what to do
 * with such a value (reject the row, or take it as unknown) is the caller's
 * policy, not the reader's.
 */
#ifndef TRIPOD_CORE_VALUE_H
#define TRIPOD_CORE_VALUE_H

#include <stddef.h>

typedef enum value_sex {
    VALUE_SEX_UNKNOWN = 0,
    VALUE_SEX_MALE = 1,
    VALUE_SEX_FEMALE = 2
} value_sex_t;

/* male, m; female, f; unknown, u, other, o. Nothing else: not "Mx", not a
 * word that merely starts with M or F. */
int value_sex(const char *s, size_t n, value_sex_t *out);
/* The Tuva word of a sex: "male", "female", "unknown". */
const char *value_sex_name(value_sex_t sex);
/* 1, y, yes, true give 1; 0, n, no, false give 0. Nothing else: not "t"
 * or "f", not "10", not a word that merely starts with y or n. */
int value_flag(const char *s, size_t n, int *out);

#endif
