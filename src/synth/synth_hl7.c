/* synth_hl7.c — HL7 v2.5.1 ADT messages for recent admissions and discharges.
 *
 * For stays and ED visits touching the last 30 days of the period: A04 (ED
 * registration) and A03 for ED visits; A01 (admit), sometimes A08 (update) and
 * A03 (discharge, PV1-36 = the UB-04 discharge disposition) for admissions.
 * Segments end with a carriage return; messages follow one another, each
 * starting with MSH. PID-3 carries the person id (the claims' person_id and the
 * FHIR Patient.id) and the MBI.
 */
#include "synth/synth_internal.h"

#define WINDOW_DAYS 30

static void put_ts(buf_t *b, date_t d, unsigned minutes)
{
    sy_put_date_compact(b, d);
    char t[4] = { (char)('0' + minutes / 600 % 10), (char)('0' + minutes / 60 % 10),
                  (char)('0' + minutes % 60 / 10), (char)('0' + minutes % 10) };
    sy_put(b, t, 4);
}

static void put_xcn(buf_t *b, const sy_pop_t *pop, int prac)
{
    if (prac < 0)
        return;
    const sy_prac_t *x = &pop->prac[prac];
    sy_puts(b, x->npi);
    sy_putc(b, '^');
    if (x->org < 0) {
        sy_puts(b, x->last);
        sy_putc(b, '^');
        sy_puts(b, x->first);
    }
    SY_LIT(b, "^^^^^^NPI");
}

/* One message: type is A01/A03/A04/A08. */
static void message(const sy_pop_t *pop, const sy_patient_t *p, const sy_event_t *e, buf_t *b,
                    const char *type, date_t when, unsigned minutes, unsigned n)
{
    const char *fac = e->org >= 0 ? pop->prac[e->org].npi : "UNKNOWN";
    SY_LIT(b, "MSH|^~\\&|TRIPOD-SYNTH|");
    sy_puts(b, fac);
    SY_LIT(b, "^");
    sy_puts(b, fac);
    SY_LIT(b, "^NPI|TRIPOD|ACO|");
    put_ts(b, when, minutes);
    SY_LIT(b, "||ADT^");
    sy_puts(b, type);
    SY_LIT(b, "^ADT_");
    sy_puts(b, strcmp(type, "A08") == 0 || strcmp(type, "A04") == 0 ? "A01" : type);
    sy_putc(b, '|');
    sy_puts(b, p->pid);
    sy_putc(b, '-');
    sy_put_u(b, e->seq);
    sy_putc(b, '-');
    sy_put_u(b, n);
    SY_LIT(b, "|P|2.5.1\r");

    SY_LIT(b, "EVN|");
    sy_puts(b, type);
    sy_putc(b, '|');
    put_ts(b, when, minutes);
    sy_putc(b, '\r');

    SY_LIT(b, "PID|1||");
    sy_puts(b, p->pid);
    SY_LIT(b, "^^^TRIPOD^MR~");
    sy_puts(b, p->mbi);
    sy_puts(b, p->seg == SEG_COMMERCIAL ? "^^^ACME^MB" : "^^^CMS^MB");
    SY_LIT(b, "||");
    sy_puts(b, p->last);
    sy_putc(b, '^');
    sy_puts(b, p->first);
    SY_LIT(b, "||");
    sy_put_date_compact(b, p->birth);
    sy_putc(b, '|');
    sy_putc(b, p->female ? 'F' : 'M');
    SY_LIT(b, "||");
    sy_puts(b, sy_race_code[p->race]);
    sy_putc(b, '^');
    sy_puts(b, sy_race_display[p->race]);
    SY_LIT(b, "^CDCREC|");
    sy_put_u(b, (uint64_t)p->street_no);
    sy_putc(b, ' ');
    sy_puts(b, sy_street[p->street]);
    SY_LIT(b, "^^");
    sy_puts(b, sy_places[p->place].city);
    sy_putc(b, '^');
    sy_puts(b, sy_places[p->place].state);
    sy_putc(b, '^');
    sy_puts(b, sy_places[p->place].zip);
    SY_LIT(b, "^USA||^PRN^PH^^1^614^555");
    char ph[4] = { '0', (char)('0' + p->phone / 100 % 10), (char)('0' + p->phone / 10 % 10),
                   (char)('0' + p->phone % 10) };
    sy_put(b, ph, 4);
    if (p->death != DATE_NONE && p->death <= when) {
        SY_LIT(b, "|||||||||||||");
        sy_put_date_compact(b, p->death);
        SY_LIT(b, "|Y");
    }
    sy_putc(b, '\r');

    /* PV1: 1 set id, 2 class, 3 location, 4 admission type, 7 attending, 10 service,
     * 14 admit source, 19 visit number, 36 discharge disposition, 44/45 admit/discharge time */
    int ip = e->type == EV_IP;
    const char *f[46] = { 0 };
    char visit[40];
    {
        size_t k = strlen(p->pid);
        memcpy(visit, p->pid, k);
        visit[k++] = 'V';
        unsigned v = e->seq;
        char t[12];
        int i = 12;
        do {
            t[--i] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        memcpy(visit + k, t + i, (size_t)(12 - i));
        visit[k + (size_t)(12 - i)] = 0;
    }
    char disp[3] = { 0 };
    f[1] = "1";
    f[2] = ip ? "I" : "E";
    f[3] = ip ? "MED^^^HOSP" : "ED^^^HOSP";
    f[4] = ip ? (e->level == 3 ? "C" : e->level == 1 ? "E" : "U") : "E";
    f[10] = ip ? "MED" : "EMR";
    f[14] = ip ? (e->level == 3 ? "1" : "7") : "7";
    f[19] = visit;
    if (strcmp(type, "A03") == 0) {
        int d = ip ? e->disp : 1;
        disp[0] = (char)('0' + d / 10);
        disp[1] = (char)('0' + d % 10);
        f[36] = disp;
    }
    SY_LIT(b, "PV1");
    for (int i = 1; i <= 45; i++) {
        sy_putc(b, '|');
        if (i == 7 || i == 17)
            put_xcn(b, pop, e->prac);
        else if (i == 44)
            put_ts(b, e->start, 13 * 60 + e->seq % 300);
        else if (i == 45 && strcmp(type, "A03") == 0)
            put_ts(b, e->end, 15 * 60 + e->seq % 240);
        else if (f[i])
            sy_puts(b, f[i]);
    }
    sy_putc(b, '\r');

    const char *dx, *dxd;
    if (ip) {
        dx = sy_drgs[e->sub].dx;
        dxd = sy_drgs[e->sub].dx_display;
    } else {
        dx = sy_eddx[e->sub].code;
        dxd = sy_eddx[e->sub].display;
    }
    SY_LIT(b, "DG1|1||");
    sy_put_icd_dotted(b, dx);
    sy_putc(b, '^');
    sy_puts(b, dxd);
    SY_LIT(b, "^I10||");
    put_ts(b, e->start, 13 * 60);
    SY_LIT(b, "|A\r");
}

void sy_write_hl7(const sy_pop_t *pop, const sy_patient_t *p, buf_t *out)
{
    buf_t *b = &out[S_HL7];
    date_t lo = pop->end - (WINDOW_DAYS - 1);
    for (int i = 0; i < p->nev; i++) {
        const sy_event_t *e = &p->ev[i];
        if (e->type == EV_ED) {
            if (e->start < lo || e->start > pop->end)
                continue;
            unsigned t = 13 * 60 + e->seq % 480;
            message(pop, p, e, b, "A04", e->start, t, 1);
            message(pop, p, e, b, "A03", e->start, t + 180 > 1439 ? 1439 : t + 180, 2);
        } else if (e->type == EV_IP) {
            int admit_in = e->start >= lo && e->start <= pop->end;
            int dis_in = e->end >= lo && e->end <= pop->end;
            if (!admit_in && !dis_in)
                continue;
            if (admit_in)
                message(pop, p, e, b, "A01", e->start, 13 * 60 + e->seq % 300, 1);
            if (admit_in && e->end > e->start + 1 && (e->seq % 3 == 0) && e->start + 1 <= pop->end)
                message(pop, p, e, b, "A08", e->start + 1, 10 * 60, 2);
            if (dis_in)
                message(pop, p, e, b, "A03", e->end, 15 * 60 + e->seq % 240, 3);
        }
    }
}
