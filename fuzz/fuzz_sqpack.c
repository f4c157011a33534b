/* fuzz_sqpack.c — libFuzzer driver for the packed-claims decoder of the
 * SQLite backend (src/store/sqlite/sqpack.c).
 *
 * A damaged or hostile database file is outside input too: whatever bytes a
 * claim_pack row holds, reading it must fail cleanly, never crash or read
 * past the blob. The first byte picks the kind (medical packs carry a
 * header per run); the rest is read as a pack's runs and lines, each line
 * and header decoded into a record the way a scan does.
 */
#include "core/mem.h"
#include "store/sqlite/sqpack.h"
#include "store/store_impl.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const store_kind_def_t *k = store_kind_def(data[0] & 1 ? SK_MED_CLAIM : SK_RX_CLAIM);
    /* A private copy: out-of-bounds reads past it are caught by ASan. */
    uint8_t *blob = mem_alloc(size - 1 ? size - 1 : 1);
    memcpy(blob, data + 1, size - 1);
    const uint8_t *p = blob, *end = blob + (size - 1);
    store_any_rec_t *rec = mem_alloc(sizeof *rec);
    sqp_run_t r;
    while (sqp_run_next(&p, end, k->header != NULL, &r) == 1) {
        k->init(rec);
        if (k->header && sqp_decode_cols(r.hdr, r.hdr + r.hlen, k->header, 1, rec) != 0)
            continue;
        const uint8_t *q = r.lines;
        sqp_line_t l;
        while (sqp_line_next(&q, r.end, &l) == 1) {
            k->init(rec);
            if (sqp_decode_cols(l.cols, l.end, k->table, 2, rec) != 0)
                break;
            /* Touch every text the decoder returned: each must be inside the blob. */
            for (int i = 2; i < k->table->ncols; i++) {
                const store_col_t *c = &k->table->cols[i];
                if (c->type == SC_TEXT && STORE_CFIELD(rec, c, const char *)) {
                    const char *s = STORE_CFIELD(rec, c, const char *);
                    if (strlen(s) > (size_t)(end - (const uint8_t *)s))
                        __builtin_trap();
                }
            }
        }
    }
    mem_free(rec);
    mem_free(blob);
    return 0;
}
