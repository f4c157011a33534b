/* fuzz_csv.c — libFuzzer driver for the CSV reader and the Tuva / Synthea
 * CSV loaders (src/ingest/csvread.c, tuva.c, synthea.c).
 *
 * The input is detected like `tripod import` does and loaded into an
 * in-memory SQLite store inside a transaction that is rolled back, so every
 * path from bytes to store puts is exercised. The first byte picks a format
 * when detection finds none, so that the loaders see malformed headers too.
 */
#include "core/mem.h"
#include "ingest/import.h"
#include "store/store.h"

#include <stdint.h>
#include <string.h>

static store_t *store;

/* Warnings (unknown columns) are expected for mutated input: not printed. */
static void quiet(void *ctx, const char *path, const char *msg)
{
    (void)ctx;
    (void)path;
    (void)msg;
}

/* Small chunks: inputs of a few hundred bytes take the two-thread path too. */
static const import_opts_t opts = { .warn = quiet, .chunk_bytes = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    err_t e;
    err_clear(&e);
    if (!store && store_open(":memory:", &store, &e) != 0)
        return 0;
    if (size == 0)
        return 0;
    static const import_format_t csv_formats[] = {
        IMPORT_FMT_TUVA_ELIGIBILITY,      IMPORT_FMT_TUVA_MEDICAL_CLAIM,
        IMPORT_FMT_TUVA_PHARMACY_CLAIM,   IMPORT_FMT_SYNTHEA_PATIENTS,
        IMPORT_FMT_SYNTHEA_ENCOUNTERS,    IMPORT_FMT_SYNTHEA_CONDITIONS,
        IMPORT_FMT_SYNTHEA_OBSERVATIONS,  IMPORT_FMT_SYNTHEA_PROCEDURES,
        IMPORT_FMT_SYNTHEA_MEDICATIONS,   IMPORT_FMT_SYNTHEA_IMMUNIZATIONS,
        IMPORT_FMT_SYNTHEA_ORGANIZATIONS,
    };
    char *buf = mem_alloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    bool syn;
    import_format_t f = import_detect(buf, size, &syn);
    bool is_csv = false;
    for (size_t i = 0; i < sizeof csv_formats / sizeof csv_formats[0]; i++)
        if (csv_formats[i] == f)
            is_csv = true;
    if (!is_csv)
        f = csv_formats[data[0] % (sizeof csv_formats / sizeof csv_formats[0])];
    import_file_result_t r;
    memset(&r, 0, sizeof r);
    if (store_begin(store, &e) == 0) {
        import_buffer(store, f, "fuzz.csv", buf, size, &r, &opts, &e);
        err_t ignore;
        store_rollback(store, &ignore);
    }
    mem_free(buf);
    return 0;
}
