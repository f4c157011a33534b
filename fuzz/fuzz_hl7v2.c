/* fuzz_hl7v2.c — libFuzzer driver for the HL7 v2 parser, the ADT mapping,
 * the MLLP frame decoder and the ACK builder.
 *
 * The input is read three ways: as a file of messages (split, parsed, every
 * value read, mapped to an ADT event, acknowledged), as an MLLP byte stream
 * fed in uneven pieces to a decoder with a small frame cap, and as a time
 * stamp and an escaped text.
 */
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "ingest/adt.h"
#include "ingest/hl7v2.h"
#include "ingest/mllp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every value of a message, at every level, a bounded number of times. */
static void walk(const hl7_msg_t *m)
{
    size_t budget = 64;
    for (size_t i = 0; i < hl7_segment_count(m) && i < 64 && budget > 0; i++) {
        const char *seg = hl7_segment_name(m, i);
        size_t occ = 0;
        for (size_t j = 0; j < i; j++)
            occ += strcmp(hl7_segment_name(m, j), seg) == 0;
        int nf = hl7_field_count(m, seg, occ);
        for (int f = 1; f <= nf + 1 && budget > 0; f++) {
            (void)hl7_get_raw(m, seg, occ, f);
            size_t nr = hl7_rep_count(m, seg, occ, f);
            for (size_t r = 0; r <= nr && r < 4 && budget > 0; r++) {
                size_t nc = hl7_comp_count(m, seg, occ, f, r);
                for (size_t c = 0; c <= nc + 1 && c < 12 && budget > 0; c++, budget--) {
                    const char *v = hl7_get(m, seg, occ, f, r, (int)c, 0);
                    (void)hl7_get(m, seg, occ, f, r, (int)c, 1);
                    (void)hl7_get(m, seg, occ, f, r, (int)c, 2);
                    if (c == 1 && *v) {
                        hl7_ts_t ts;
                        if (hl7_ts_parse(v, strlen(v), &ts) == 0) {
                            char iso[48];
                            hl7_ts_iso(&ts, iso, sizeof iso);
                            (void)hl7_ts_epoch(&ts);
                        }
                    }
                }
            }
        }
    }
    static const char *paths[] = { "PID-3[1].4.2", "PV1-3.1", "DG1(2)-3.1", "MSH-9.2",
                                   "MSH-2",        "EVN-2",   "PID(99)-1",  "PID-3[999999].1",
                                   "PID-0",        "PID" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        (void)hl7_get_path(m, paths[i]);
}

static void one_message(const char *p, size_t n, long line, bool deep)
{
    arena_t *a = arena_new(4096);
    err_t e;
    err_clear(&e);
    hl7_msg_t *m = NULL;
    const char *code = "AR";
    if (hl7_parse(a, p, n, line, &m, &e) == 0) {
        if (deep)
            walk(m);
        adt_event_t *ev = NULL;
        code = adt_map(a, m, &ev, &e) == 0 ? "AA" : "AE";
        if (ev)
            (void)adt_kind_name(ev->kind);
    }
    buf_t ack;
    buf_init(&ack, 1 << 16);
    mllp_build_ack(&ack, m, code, &e);
    buf_free(&ack);
    char line_s[1024];
    err_format(&e, line_s, sizeof line_s);
    arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    if (size > (1 << 20))
        return 0;

    /* 1. As a file of messages. */
    size_t pos = 0, len;
    long cur = 1, line;
    const char *msg;
    err_t e;
    err_clear(&e);
    int guard = 0;
    while (guard++ < 1000 && hl7_next_message(p, size, &pos, &cur, &msg, &len, &line, &e) == 0 &&
           msg)
        one_message(msg, len, line, true);
    one_message(p, size, 1, false);

    /* 2. As an MLLP stream, in pieces of uneven length. */
    mllp_decoder_t d;
    mllp_decoder_init(&d, 512);
    size_t off = 0, step = 1;
    while (off < size) {
        size_t chunk = size - off < step ? size - off : step;
        size_t used_total = 0;
        while (used_total < chunk) {
            size_t used = 0;
            mllp_event_t ev = mllp_decode(&d, p + off + used_total, chunk - used_total, &used);
            used_total += used;
            if (ev == MLLP_FRAME) {
                size_t flen;
                const char *f = mllp_decoder_frame(&d, &flen);
                one_message(f, flen, 1, false);
            } else if (ev == MLLP_NEED_MORE) {
                break;
            }
        }
        off += chunk;
        step = step * 3 % 97 + 1;
    }
    (void)mllp_decoder_in_frame(&d);
    mllp_decoder_free(&d);

    /* 3. As a time stamp and as text to unescape and escape. */
    hl7_ts_t ts;
    if (hl7_ts_parse(p, size < 64 ? size : 64, &ts) == 0) {
        char iso[48];
        hl7_ts_iso(&ts, iso, sizeof iso);
    }
    arena_t *a = arena_new(0);
    hl7_delims_t delims = { '|', '^', '~', '\\', '&', '#' };
    char *u = hl7_unescape(a, &delims, p, size);
    char out[256];
    hl7_escape(&delims, u, out, sizeof out);
    arena_free(a);
    return 0;
}
