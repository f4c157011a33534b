/* synth_fmt.c — fast formatting of numbers and dates into buf_t.
 *
 * A million patients mean tens of millions of dates and amounts; snprintf for
 * each would dominate the run, so dates come from a table built once and
 * numbers are converted by hand.
 */
#include "synth/synth_internal.h"

#include "core/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define DT_FIRST_YEAR 1900
#define DT_YEARS      300

static char *date_tab; /* DATE_FMT_LEN bytes per day from 1900-01-01 */
static date_t date_tab_first, date_tab_n;

static void free_dates(void)
{
    mem_free(date_tab);
    date_tab = NULL;
}

/* Called once before any thread starts. */
void sy_dates_init(void)
{
    if (date_tab)
        return;
    date_tab_first = date_from_ymd(DT_FIRST_YEAR, 1, 1);
    date_tab_n = date_from_ymd(DT_FIRST_YEAR + DT_YEARS, 1, 1) - date_tab_first;
    date_tab = mem_alloc((size_t)date_tab_n * DATE_FMT_LEN);
    for (date_t i = 0; i < date_tab_n; i++)
        date_format(date_tab_first + i, date_tab + (size_t)i * DATE_FMT_LEN);
    atexit(free_dates);
}

const char *sy_date_str(date_t d)
{
    date_t i = d - date_tab_first;
    if (i < 0 || i >= date_tab_n)
        return "";
    return date_tab + (size_t)i * DATE_FMT_LEN;
}

void sy_put_date(buf_t *b, date_t d)
{
    sy_put(b, sy_date_str(d), 10);
}

void sy_put_date_compact(buf_t *b, date_t d)
{
    const char *s = sy_date_str(d);
    char o[8] = { s[0], s[1], s[2], s[3], s[5], s[6], s[8], s[9] };
    sy_put(b, o, 8);
}

void sy_buf_fail(void)
{
    fputs("tripod generate: output buffer cap exceeded\n", stderr);
    abort();
}

void sy_put_u(buf_t *b, uint64_t v)
{
    char t[24];
    int i = 24;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sy_put(b, t + i, (size_t)(24 - i));
}

void sy_put_i(buf_t *b, int64_t v)
{
    if (v < 0) {
        sy_putc(b, '-');
        sy_put_u(b, (uint64_t)(-(v + 1)) + 1);
    } else {
        sy_put_u(b, (uint64_t)v);
    }
}

void sy_put_dec(buf_t *b, double v, int decimals)
{
    static const double pow10[] = { 1, 10, 100, 1000 };
    if (decimals < 0)
        decimals = 0;
    if (decimals > 3)
        decimals = 3;
    int neg = v < 0;
    uint64_t scaled = (uint64_t)floor(fabs(v) * pow10[decimals] + 0.5);
    uint64_t ip = scaled / (uint64_t)pow10[decimals];
    uint64_t fp = scaled % (uint64_t)pow10[decimals];
    if (neg && scaled)
        sy_putc(b, '-');
    sy_put_u(b, ip);
    if (decimals) {
        char t[4];
        for (int i = decimals - 1; i >= 0; i--) {
            t[i] = (char)('0' + fp % 10);
            fp /= 10;
        }
        sy_putc(b, '.');
        sy_put(b, t, (size_t)decimals);
    }
}

void sy_put_money(buf_t *b, money_t cents)
{
    if (cents < 0) {
        sy_putc(b, '-');
        cents = -cents;
    }
    sy_put_u(b, (uint64_t)(cents / 100));
    char t[3] = { '.', (char)('0' + (cents % 100) / 10), (char)('0' + cents % 10) };
    sy_put(b, t, 3);
}

void sy_put_icd_dotted(buf_t *b, const char *code)
{
    size_t n = strlen(code);
    if (n <= 3) {
        sy_put(b, code, n);
        return;
    }
    sy_put(b, code, 3);
    sy_putc(b, '.');
    sy_put(b, code + 3, n - 3);
}
