/* fuzz_fhir_json.c — libFuzzer driver for the FHIR JSON and NDJSON loaders
 * (src/ingest/fhir.c: Bundles, resources, ExplanationOfBenefit claims).
 *
 * The input is loaded as one JSON document and as NDJSON into an in-memory
 * SQLite store, each inside a transaction that is rolled back.
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

static const import_opts_t opts = { .warn = quiet };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load(import_format_t f, const uint8_t *data, size_t size)
{
    err_t e;
    err_clear(&e);
    char *buf = mem_alloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    import_file_result_t r;
    memset(&r, 0, sizeof r);
    if (store_begin(store, &e) == 0) {
        import_buffer(store, f, "fuzz.json", buf, size, &r, &opts, &e);
        err_t ignore;
        store_rollback(store, &ignore);
    }
    mem_free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    err_t e;
    err_clear(&e);
    if (!store && store_open(":memory:", &store, &e) != 0)
        return 0;
    bool syn;
    char *probe = mem_alloc(size + 1);
    memcpy(probe, data, size);
    probe[size] = '\0';
    (void)import_detect(probe, size, &syn);
    mem_free(probe);
    load(IMPORT_FMT_FHIR_JSON, data, size);
    load(IMPORT_FMT_FHIR_NDJSON, data, size);
    return 0;
}
