/* test_csvread_portable.c — test_csvread.c against the reader built without
 * SSE2 (CSVR_PORTABLE): the byte-by-byte scan that other machines use must
 * give the same fields, positions and errors. The reader is compiled into
 * this test, so the library's copy is not linked.
 */
#define CSVR_PORTABLE 1
#include "core/csvread.c"

#include "test_csvread.c"
