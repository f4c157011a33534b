/* hl7v2.h — HL7 version 2 (2.3 to 2.8) messages in their ER7 ("pipe") encoding.
 *
 * A message is a list of segments; a segment a list of fields; a field a list
 * of repetitions; a repetition a list of components; a component a list of
 * subcomponents. The five delimiters are taken from the message itself: MSH-1
 * is the field separator, MSH-2 the component, repetition, escape and
 * subcomponent characters (and, from v2.7, an optional truncation character,
 * which is only kept). Segments end with CR, LF or CRLF.
 *
 * The parser is strict about structure (an MSH first, valid delimiters,
 * segment names of three letters or digits, MSH-9 and MSH-10 present) and
 * lenient about content: missing optional fields, extra fields, trailing
 * blanks, unknown segments (Z-segments) and a UTF-8 byte-order mark are
 * accepted. Field values are read on demand, so parsing costs one pass.
 *
 * Memory: a parsed message and every string an accessor returns live in the
 * arena given to hl7_parse; the input bytes must outlive the message.
 * Numbering follows the standard: fields, components and subcomponents count
 * from 1 ("PID-3.4.2"), segment occurrences and repetitions from 0.
 */
#ifndef TRIPOD_INGEST_HL7V2_H
#define TRIPOD_INGEST_HL7V2_H

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps a hostile input cannot exceed (each large enough for real feeds). */
#define HL7_MAX_SEGMENTS 20000 /* segments in one message */
#define HL7_MAX_FIELDS   1000  /* fields in one segment */

typedef struct hl7_delims {
    char field; /* MSH-1, usually '|' */
    char comp;  /* usually '^' */
    char rep;   /* usually '~' */
    char esc;   /* usually '\\'; 0 when the message declares none */
    char sub;   /* usually '&'; 0 when the message declares none */
    char trunc; /* v2.7+ truncation character '#'; 0 when absent */
} hl7_delims_t;

typedef struct hl7_msg hl7_msg_t;

/* Parses one message from data[0..n). first_line is the 1-based line of its
 * first byte in the enclosing file (1 for a lone message), so that errors
 * point into the file. Returns 0 and sets *out, or ERR_INPUT with e naming
 * the segment-field at fault ("MSH-9") and the line. */
int hl7_parse(arena_t *a, const char *data, size_t n, long first_line, hl7_msg_t **out, err_t *e);

/* Finds the next message of a file or stream holding several: skips a UTF-8
 * byte-order mark, blank lines and batch envelope segments (FHS, BHS, BTS,
 * FTS), and sets *msg and *msg_len to the bytes from one MSH up to the next
 * MSH (or the end), with *line its 1-based line; *msg is NULL when no message
 * is left. *pos and *cur_line carry the state between calls (start them at 0
 * and 1). Returns 0, or ERR_INPUT (e set with the line) when other text
 * stands where an MSH segment should. */
int hl7_next_message(const char *buf, size_t n, size_t *pos, long *cur_line, const char **msg,
                     size_t *msg_len, long *line, err_t *e);

/* --- The message ------------------------------------------------------- */

const hl7_delims_t *hl7_delims(const hl7_msg_t *m);
size_t hl7_segment_count(const hl7_msg_t *m);
/* The name of the i-th segment ("MSH", "PID", ...), or NULL past the end. */
const char *hl7_segment_name(const hl7_msg_t *m, size_t i);
/* The 1-based line of the i-th segment in the file (see first_line). */
long hl7_segment_line(const hl7_msg_t *m, size_t i);
/* How many segments are named seg. */
size_t hl7_count(const hl7_msg_t *m, const char *seg);
/* The raw bytes of the message as given to hl7_parse. */
const char *hl7_raw(const hl7_msg_t *m, size_t *len);

/* Shortcuts for MSH fields (decoded; "" when empty). */
const char *hl7_message_code(const hl7_msg_t *m); /* MSH-9.1, e.g. "ADT" */
const char *hl7_trigger(const hl7_msg_t *m);      /* MSH-9.2, e.g. "A01"; "" for a bare ACK */
const char *hl7_control_id(const hl7_msg_t *m);   /* MSH-10 */
const char *hl7_version(const hl7_msg_t *m);      /* MSH-12.1, e.g. "2.5.1" */

/* --- Values -------------------------------------------------------------
 * seg_occ: which occurrence of the segment (0 = the first PID). field >= 1.
 * rep: repetition (0 = first). comp, sub: 1-based; 0 means "the whole
 * repetition" (comp = 0) or "the whole component" (sub = 0), whose inner
 * delimiters are then kept as they are. Escape sequences are decoded:
 * \F\ \S\ \T\ \R\ \E\ the delimiters, \Xhh..\ bytes, \.br\ a newline,
 * formatting (\H\ \N\ \.sp\ ...) and character-set escapes dropped, an
 * unknown or unterminated escape kept literally. The value "" means empty or
 * absent; hl7_present tells the two apart. MSH-1 and MSH-2 are returned as
 * written. Never NULL. */
const char *hl7_get(const hl7_msg_t *m, const char *seg, size_t seg_occ, int field, size_t rep,
                    int comp, int sub);
/* Is the value there (non-empty)? Same coordinates as hl7_get. */
bool hl7_present(const hl7_msg_t *m, const char *seg, size_t seg_occ, int field, size_t rep,
                 int comp, int sub);
/* The same by path: "PID-3", "PID-3[1].4.2", "PV1-3.1", "DG1(2)-3.1" (the
 * second DG1), "MSH-9.2". Returns NULL when the path is malformed. */
const char *hl7_get_path(const hl7_msg_t *m, const char *path);

/* The field as written (escapes and inner delimiters kept): for copying a
 * field into a reply that uses the same delimiters. "" when absent. */
const char *hl7_get_raw(const hl7_msg_t *m, const char *seg, size_t seg_occ, int field);

/* How many repetitions the field has (0 when absent or empty). */
size_t hl7_rep_count(const hl7_msg_t *m, const char *seg, size_t seg_occ, int field);
/* How many components a repetition has (0 when empty). */
size_t hl7_comp_count(const hl7_msg_t *m, const char *seg, size_t seg_occ, int field, size_t rep);
/* How many fields the segment occurrence has (its highest field number). */
int hl7_field_count(const hl7_msg_t *m, const char *seg, size_t seg_occ);

/* Decodes the escape sequences of raw[0..n) written with delimiters d into a
 * NUL-terminated string in a. Used by hl7_get; exposed for tests. */
char *hl7_unescape(arena_t *a, const hl7_delims_t *d, const char *raw, size_t n);
/* Appends s escaped for delimiters d (the inverse of hl7_unescape for
 * delimiters, the escape character, CR and LF) to a buffer of cap bytes.
 * Returns the length written (always NUL-terminated; truncated at cap). */
size_t hl7_escape(const hl7_delims_t *d, const char *s, char *out, size_t cap);

/* --- Time stamps ---------------------------------------------------------- */

/* An HL7 TS/DTM: YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]. */
typedef struct hl7_ts {
    date_t date;    /* the calendar date; month/day default to 1 when not given */
    int precision;  /* digits given: 4 (year), 6, 8 (day), 10, 12, 14 (second) */
    int32_t second; /* seconds since midnight; 0 when no time given */
    int32_t millis; /* fractional second in milliseconds */
    bool has_tz;
    int tz_minutes; /* offset east of UTC */
} hl7_ts_t;

/* Parses a TS (n bytes; surrounding blanks ignored). Returns 0 or -1 for
 * anything malformed or impossible (20230229, hour 25, "+2500"). */
int hl7_ts_parse(const char *s, size_t n, hl7_ts_t *out);
/* Seconds since 1970-01-01T00:00:00Z; a TS without an offset is taken as
 * UTC (HL7 says "the sender's local time", which the receiver cannot know). */
int64_t hl7_ts_epoch(const hl7_ts_t *t);
/* Writes ISO 8601 at the precision given: "2024-03-01", "2024-03-01T10:30",
 * "2024-03-01T10:30:00.250+02:00" ... into out (at least 32 bytes). */
void hl7_ts_iso(const hl7_ts_t *t, char *out, size_t cap);

#endif
