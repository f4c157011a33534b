/* test_store_lists.c — store_list_check gives store_list_pack's verdict
 * (store/schema.c): a list the check lets through must pack, and one it
 * refuses must not, on random lists near the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/rng.h"
#include "store/store.h"
#include "store/store_impl.h"

#include <string.h>

static const store_col_t *col_named(const store_table_t *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    fail_msg("no column %s", name);
    return NULL;
}

static void test_check_agrees_with_pack(void **state)
{
    (void)state;
    const store_kind_def_t *k = store_kind_def(SK_MED_CLAIM);
    const store_col_t *dx = col_named(k->header, "diagnosis_codes");
    const store_col_t *pd = col_named(k->header, "procedure_dates");
    static char items[25][200];
    char packed[STORE_LIST_MAX];
    rng_t r;
    rng_seed(&r, 7);
    int refused = 0, passed = 0;
    for (int round = 0; round < 20000; round++) {
        store_med_claim_t c;
        store_med_claim_init(&c);
        /* Item lengths around the 1,023 bytes a packed list may hold. */
        int maxlen = 1 + (int)rng_below(&r, round % 2 ? 60 : 8);
        for (int j = 0; j < 25; j++) {
            if (rng_below(&r, 3) == 0)
                continue;
            int n = (int)rng_below(&r, (uint32_t)maxlen);
            for (int q = 0; q < n; q++)
                items[j][q] = rng_below(&r, 400) == 0 ? '|' : (char)('A' + rng_below(&r, 26));
            items[j][n] = '\0';
            c.diagnosis_code[j] = items[j];
            if (rng_below(&r, 2))
                c.procedure_date[j] = (date_t)((int32_t)rng_below(&r, 900000) - 700000);
        }
        size_t len;
        const store_col_t *cols[2] = { dx, pd };
        for (int i = 0; i < 2; i++) {
            int want = store_list_pack(cols[i], &c, packed, &len) == 0 ? 0 : -1;
            assert_int_equal(store_list_check(cols[i], &c), want);
            if (want)
                refused++;
            else
                passed++;
        }
    }
    /* Both verdicts occurred. */
    assert_true(refused > 100);
    assert_true(passed > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_agrees_with_pack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
