/* import.c — the import driver: walk, detect, order, and load each file in
 * its own transaction with the content-hash ledger (see import.h).
 */
#include "ingest/import_impl.h"

#include "core/buf.h"
#include "core/dir.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "ingest/adt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DETECT_PREFIX 65536

static const char *const kind_names[IK_COUNT] = {
    [IK_ORGANIZATION] = "organization",
    [IK_PRACTITIONER] = "practitioner",
    [IK_PATIENT] = "patient",
    [IK_ENROLLMENT] = "enrollment",
    [IK_MED_CLAIM_LINE] = "medical_claim_line",
    [IK_RX_CLAIM_LINE] = "pharmacy_claim",
    [IK_ENCOUNTER] = "encounter",
    [IK_CONDITION] = "condition",
    [IK_OBSERVATION] = "observation",
    [IK_PROCEDURE] = "procedure",
    [IK_MEDICATION] = "medication",
    [IK_IMMUNIZATION] = "immunization",
    [IK_HL7_MESSAGE] = "hl7_message",
    [IK_ADT_EVENT] = "adt_event",
};

const char *import_kind_name(import_kind_t k)
{
    return k >= 0 && k < IK_COUNT ? kind_names[k] : "?";
}

void import_summary_free(import_summary_t *sum)
{
    if (!sum)
        return;
    for (size_t i = 0; i < sum->nfiles; i++) {
        mem_free(sum->files[i].path);
        mem_free(sum->files[i].reason);
    }
    mem_free(sum->files);
    memset(sum, 0, sizeof *sum);
}

/* ---- helpers the loaders share ------------------------------------------ */

void import_warn(import_ctx_t *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->o && c->o->warn)
        c->o->warn(c->o->ctx, c->name, msg);
    else
        log_kv(LOG_WARN, "import.warning", "file", c->name, "msg", msg, NULL);
}

/* ---- the content hash, computed beside the load ----------------------- */

/* The file is read once, on another thread: a piece at a time into the
 * loader's buffer, each piece hashed before it is published (the loaders
 * change the bytes in place), so that neither reading nor hashing costs
 * the loading thread any time. A loader waits for the bytes it needs
 * (import_wait): the claims loader parses while the file is still being
 * read, the others wait for all of it. */
typedef struct import_hasher {
    pthread_t th;
    const char *path;
    char hex[65];
    int rc;  /* 0, or ERR_IO */
    int err; /* errno when rc != 0 */
    int64_t bytes;
    atomic_bool done;
    char *buf; /* want bytes (and a spare one), or NULL: hash only */
    size_t want;
    size_t filled; /* bytes of buf read and hashed, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} import_hasher_t;

#define READ_PIECE ((size_t)4 << 20)

size_t import_wait(import_ctx_t *c, size_t upto)
{
    import_hasher_t *h = c->hasher;
    if (!h || !h->buf)
        return c->len;
    if (upto > h->want)
        upto = h->want;
    pthread_mutex_lock(&h->mu);
    while (h->filled < upto && !atomic_load(&h->done))
        pthread_cond_wait(&h->cv, &h->mu);
    size_t f = h->filled;
    pthread_mutex_unlock(&h->mu);
    return f;
}

/* Marks the read finished and wakes the loader waiting in import_wait. */
static void hash_done(import_hasher_t *h)
{
    pthread_mutex_lock(&h->mu);
    atomic_store(&h->done, true);
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

/* One read(2), retried when interrupted; -1 with h->rc and h->err set on
 * failure. */
static ssize_t read_piece(import_hasher_t *h, int fd, void *p, size_t n)
{
    for (;;) {
        ssize_t k = read(fd, p, n);
        if (k >= 0)
            return k;
        if (errno != EINTR) {
            h->err = errno;
            h->rc = ERR_IO;
            return -1;
        }
    }
}

static void *hash_main(void *arg)
{
    import_hasher_t *h = arg;
    /* BLAKE2b-256 (libsodium's generic hash): 840 MB/s here against 200 MB/s
     * for its SHA-256, and this thread shares the cores with the load. */
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    int fd = open(h->path, O_RDONLY);
    if (fd < 0) {
        h->err = errno;
        h->rc = ERR_IO;
        hash_done(h);
        return NULL;
    }
    size_t got = 0;
    while (h->buf && got < h->want) {
        size_t n = h->want - got < READ_PIECE ? h->want - got : READ_PIECE;
        ssize_t k = read_piece(h, fd, h->buf + got, n);
        if (k <= 0)
            break;
        crypto_generichash_update(&st, (const unsigned char *)h->buf + got, (unsigned long long)k);
        got += (size_t)k;
        h->bytes += k;
        pthread_mutex_lock(&h->mu);
        h->filled = got;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
    }
    /* Bytes past what the loader expects (the file grew) are hashed and
     * counted, so that the load can tell the file changed. */
    size_t cap = (size_t)1 << 20;
    unsigned char *chunk = mem_alloc(cap);
    for (ssize_t k; h->rc == 0 && (k = read_piece(h, fd, chunk, cap)) > 0;) {
        crypto_generichash_update(&st, chunk, (unsigned long long)k);
        h->bytes += k;
    }
    close(fd);
    mem_free(chunk);
    unsigned char d[32];
    crypto_generichash_final(&st, d, sizeof d);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof d; i++) {
        h->hex[2 * i] = hex[d[i] >> 4];
        h->hex[2 * i + 1] = hex[d[i] & 15];
    }
    h->hex[64] = '\0';
    hash_done(h);
    return NULL;
}

/* Once the hash is known: is the file in the ledger already? */
static int check_seen(import_ctx_t *c, err_t *e)
{
    import_hasher_t *h = c->hasher;
    c->seen_checked = true;
    if (h->rc != 0)
        return 0; /* reported after the load */
    bool seen = false;
    int rc = store_file_seen(c->s, h->hex, &seen, e);
    if (rc != 0)
        return rc;
    c->seen = seen;
    return 0;
}

int import_tick(import_ctx_t *c, size_t offset, err_t *e)
{
    if (c->o && c->o->progress)
        c->o->progress(c->o->ctx, c->done_before + offset, c->total);
    if (c->hasher && !c->seen_checked && atomic_load(&c->hasher->done)) {
        int rc = check_seen(c, e);
        if (rc != 0)
            return rc;
        if (c->seen)
            return err_set(e, ERR_USAGE, "already loaded");
    }
    return 0;
}

/* The run's set of organisation ids, made at first use. */
static hmap_t *run_orgs(import_run_t *run)
{
    if (run->orgs.kind != HMAP_STR)
        hmap_init_str(&run->orgs, 0, true);
    return &run->orgs;
}

static int org_scan(void *ctx, const store_organization_t *r, err_t *e)
{
    (void)e;
    hmap_str_put(ctx, r->organization_id, strlen(r->organization_id), NULL);
    return 0;
}

bool import_org_known(import_ctx_t *c, const char *organization_id, err_t *e)
{
    import_run_t *run = c->run;
    hmap_t *orgs = run_orgs(run);
    if (!run->orgs_loaded) {
        run->orgs_loaded = true;
        if (store_scan_organization(c->s, org_scan, orgs, e) != 0)
            return false;
    }
    return hmap_str_getz(orgs, organization_id) != NULL;
}

void import_org_add(import_ctx_t *c, const char *organization_id)
{
    hmap_str_put(run_orgs(c->run), organization_id, strlen(organization_id), NULL);
}

/* ---- one buffer ----------------------------------------------------------- */

static int load(import_ctx_t *c, import_format_t fmt, err_t *e)
{
    switch (fmt) {
    case IMPORT_FMT_TUVA_ELIGIBILITY:
    case IMPORT_FMT_TUVA_MEDICAL_CLAIM:
    case IMPORT_FMT_TUVA_PHARMACY_CLAIM:
    case IMPORT_FMT_TUVA_PRACTITIONER:
    case IMPORT_FMT_TUVA_LAB_RESULT:
        return tuva_load(c, fmt, e);
    case IMPORT_FMT_FHIR_JSON:
        return fhir_load_json(c, e);
    case IMPORT_FMT_FHIR_NDJSON:
    case IMPORT_FMT_BLUEBUTTON_EOB:
        return fhir_load_ndjson(c, e);
    case IMPORT_FMT_SYNTHEA_ORGANIZATIONS:
    case IMPORT_FMT_SYNTHEA_PATIENTS:
    case IMPORT_FMT_SYNTHEA_ENCOUNTERS:
    case IMPORT_FMT_SYNTHEA_CONDITIONS:
    case IMPORT_FMT_SYNTHEA_OBSERVATIONS:
    case IMPORT_FMT_SYNTHEA_PROCEDURES:
    case IMPORT_FMT_SYNTHEA_MEDICATIONS:
    case IMPORT_FMT_SYNTHEA_IMMUNIZATIONS:
        return synthea_load(c, fmt, e);
    case IMPORT_FMT_HL7V2: {
        adt_import_stats_t st = { 0, 0 };
        int rc = adt_import(c->s, c->name, c->buf, c->len, &st, e);
        c->r->records += st.messages;
        if (rc == 0) {
            c->r->counts[IK_HL7_MESSAGE] += st.messages;
            c->r->counts[IK_ADT_EVENT] += st.events;
        } else {
            err_where(e, c->name, 0, 0, NULL);
        }
        return rc;
    }
    default:
        return err_at(e, ERR_INPUT, c->name, 0, 0, NULL,
                      "unrecognised content: not a Tuva CSV, a Synthea CSV, FHIR JSON or NDJSON, "
                      "nor HL7 v2");
    }
}

static int load_ctx(import_ctx_t *c, import_format_t fmt, err_t *e)
{
    /* A long first line can hide NDJSON from a prefix: look at it all. */
    if (fmt == IMPORT_FMT_FHIR_JSON) {
        bool syn;
        fmt = import_detect(c->buf, c->len, &syn);
        c->r->format = fmt;
    }
    return load(c, fmt, e);
}

int import_buffer(store_t *s, import_format_t fmt, const char *name, char *buf, size_t len,
                  import_file_result_t *r, const import_opts_t *o, err_t *e)
{
    import_run_t run = { 0 };
    import_ctx_t c = { .s = s, .name = name, .buf = buf, .len = len, .r = r, .o = o, .run = &run };
    r->format = fmt;
    int rc = load_ctx(&c, fmt, e);
    hmap_free(&run.orgs);
    return rc;
}

/* ---- files ------------------------------------------------------------------ */

typedef struct entry {
    char *path;
    bool explicit_arg; /* named on the command line (not found in a folder) */
    import_format_t fmt;
    bool synthea;
    int rank;
    size_t order;
    int64_t size;
} entry_t;

typedef struct list {
    entry_t *v;
    size_t n, cap;
} list_t;

static void list_add(list_t *l, const char *path, bool explicit_arg)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = mem_realloc(l->v, l->cap * sizeof *l->v);
    }
    entry_t *en = &l->v[l->n];
    memset(en, 0, sizeof *en);
    en->path = mem_strdup(path);
    en->explicit_arg = explicit_arg;
    en->order = l->n++;
}

/* A regular file found in a folder (dir_walk). */
static int walk_file(void *l, const char *path, err_t *e)
{
    (void)e;
    list_add(l, path, false);
    return 0;
}

/* Reads a whole file into a buffer with one spare byte (parsers work in place). */
static int read_file(const char *path, size_t max, char **out, size_t *len, err_t *e)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return err_at(e, ERR_IO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return err_at(e, ERR_IO, path, 0, 0, NULL, "cannot stat: %s", strerror(errno));
    }
    size_t want = (size_t)st.st_size;
    if (max && want > max)
        want = max;
    char *b = mem_alloc(want + 1);
    size_t got = 0;
    while (got < want) {
        ssize_t k = read(fd, b + got, want - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int err = errno;
            close(fd);
            mem_free(b);
            return err_at(e, ERR_IO, path, 0, 0, NULL, "cannot read: %s", strerror(err));
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    b[got] = '\0';
    *out = b;
    *len = got;
    return 0;
}

/* The resourceType of the first resource (of the first entry of a Bundle),
 * from a prefix, for ordering only. */
static void first_resource_type(const char *p, size_t n, char *out, size_t cap)
{
    out[0] = '\0';
    const char *end = p + n;
    const char *from = p;
    static const char entry[] = "\"entry\"";
    for (const char *q = p; q + sizeof entry - 1 <= end; q++)
        if (*q == '"' && memcmp(q, entry, sizeof entry - 1) == 0) {
            from = q;
            break;
        }
    static const char key[] = "\"resourceType\"";
    for (const char *q = from; q + sizeof key - 1 <= end; q++) {
        if (*q != '"' || memcmp(q, key, sizeof key - 1) != 0)
            continue;
        q += sizeof key - 1;
        while (q < end && (*q == ' ' || *q == ':' || *q == '\t' || *q == '\n' || *q == '\r'))
            q++;
        if (q >= end || *q != '"')
            return;
        q++;
        size_t k = 0;
        while (q < end && *q != '"' && k + 1 < cap)
            out[k++] = *q++;
        out[k] = '\0';
        return;
    }
}

static int rank_entry(import_format_t f, const char *prefix, size_t n)
{
    switch (f) {
    case IMPORT_FMT_SYNTHEA_ORGANIZATIONS:
        return 0;
    case IMPORT_FMT_SYNTHEA_PROVIDERS:
    case IMPORT_FMT_TUVA_PRACTITIONER:
        return 1;
    case IMPORT_FMT_TUVA_ELIGIBILITY:
    case IMPORT_FMT_SYNTHEA_PATIENTS:
        return 2;
    case IMPORT_FMT_HL7V2:
        return 4;
    case IMPORT_FMT_FHIR_JSON:
    case IMPORT_FMT_FHIR_NDJSON: {
        char type[64];
        first_resource_type(prefix, n, type, sizeof type);
        if (strcmp(type, "Organization") == 0 || strcmp(type, "Location") == 0)
            return 0;
        if (strcmp(type, "Practitioner") == 0 || strcmp(type, "PractitionerRole") == 0)
            return 1;
        if (strcmp(type, "Patient") == 0)
            return 2;
        return 3;
    }
    default:
        return 3;
    }
}

static int cmp_entry(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void set_reason(import_file_result_t *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_reason(import_file_result_t *r, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mem_free(r->reason);
    r->reason = mem_strdup(msg);
}

static void fail_result(import_file_result_t *r, const err_t *e)
{
    char line[1200];
    r->status = IMPORT_FAILED;
    r->err = *e;
    err_format(e, line, sizeof line);
    set_reason(r, "%s", line);
}

/* Loads one file in its own transaction, its hash computed beside it. */
static int load_file(store_t *s, entry_t *en, import_file_result_t *r, const import_opts_t *o,
                     import_run_t *run, uint64_t done_before, uint64_t total)
{
    err_t e;
    err_clear(&e);
    char *buf = NULL;
    size_t len = 0;
    double t0 = now_s();
    struct stat st0, st1;
    if (stat(en->path, &st0) != 0) {
        err_at(&e, ERR_IO, en->path, 0, 0, NULL, "cannot stat: %s", strerror(errno));
        fail_result(r, &e);
        return ERR_IO;
    }
    int rc = 0;
    len = (size_t)st0.st_size;
    if ((off_t)len != st0.st_size || len == SIZE_MAX) {
        err_at(&e, ERR_IO, en->path, 0, 0, NULL, "too large to load");
        fail_result(r, &e);
        return ERR_IO;
    }
    buf = mem_alloc(len + 1);
    r->bytes = (int64_t)len;
    import_hasher_t h;
    memset(&h, 0, sizeof h);
    h.path = en->path;
    h.buf = buf;
    h.want = len;
    pthread_mutex_init(&h.mu, NULL);
    pthread_cond_init(&h.cv, NULL);
    atomic_init(&h.done, false);
    bool threaded = pthread_create(&h.th, NULL, hash_main, &h) == 0;
    if (!threaded)
        hash_main(&h);
    /* Only the claims loader parses while the file is read. */
    if (en->fmt != IMPORT_FMT_TUVA_MEDICAL_CLAIM && en->fmt != IMPORT_FMT_TUVA_PHARMACY_CLAIM) {
        import_ctx_t w = { .hasher = &h };
        size_t got = import_wait(&w, len);
        if (got < len) {
            if (h.rc != 0)
                err_at(&e, ERR_IO, en->path, 0, 0, NULL, "cannot read: %s", strerror(h.err));
            else
                err_at(&e, ERR_IO, en->path, 0, 0, NULL, "the file changed while being read");
            rc = ERR_IO;
            len = got;
        }
    }
    buf[len] = '\0';
    import_ctx_t c = { .s = s,
                       .name = en->path,
                       .buf = buf,
                       .len = len,
                       .r = r,
                       .o = o,
                       .done_before = done_before,
                       .total = total,
                       .run = run,
                       .hasher = &h };
    if (rc != 0)
        goto out;
    /* A file already in the ledger is skipped without loading when its
     * hash is known first (small files, or no thread). */
    if (atomic_load(&h.done) && (rc = check_seen(&c, &e)) != 0)
        goto out;
    if (!c.seen && (rc = store_begin(s, &e)) == 0) {
        rc = load_ctx(&c, en->fmt, &e);
        if (threaded) {
            pthread_join(h.th, NULL);
            threaded = false;
        }
        if (rc == 0 && h.rc != 0)
            rc = err_at(&e, ERR_IO, en->path, 0, 0, NULL, "cannot read: %s", strerror(h.err));
        if (rc == 0 && (stat(en->path, &st1) != 0 || st1.st_size != st0.st_size ||
                        st1.st_mtime != st0.st_mtime || h.bytes != (int64_t)len))
            rc = err_at(&e, ERR_IO, en->path, 0, 0, NULL, "the file changed while being read");
        if (rc == 0 && !c.seen_checked)
            rc = check_seen(&c, &e);
        if (rc == 0 && !c.seen) {
            store_source_file_t sf;
            store_source_file_init(&sf);
            sf.content_hash = h.hex;
            sf.name = base_name(en->path);
            sf.format = import_format_name(r->format);
            sf.loaded_at = (store_time_t)time(NULL);
            sf.records_read = r->records;
            int64_t loaded = 0;
            for (int k = 0; k < IK_COUNT; k++)
                loaded += r->counts[k];
            sf.records_loaded = loaded;
            sf.records_rejected = 0;
            rc = store_file_record(s, &sf, &e);
        }
        if (rc == 0 && !c.seen)
            rc = store_commit(s, &e);
        if (rc != 0 || c.seen) {
            err_t ignore;
            store_rollback(s, &ignore);
            /* The organisations put in this file are gone with it. */
            hmap_free(&run->orgs);
            run->orgs_loaded = false;
        }
    }
out:
    if (threaded)
        pthread_join(h.th, NULL);
    pthread_cond_destroy(&h.cv);
    pthread_mutex_destroy(&h.mu);
    mem_free(buf);
    r->seconds = now_s() - t0;
    str_copy(r->hash, h.hex, sizeof r->hash);
    if (c.seen) {
        memset(r->counts, 0, sizeof r->counts);
        r->records = r->ignored = 0;
        r->status = IMPORT_SKIPPED;
        set_reason(r, "already loaded (content hash %.12s...)", r->hash);
        return 0;
    }
    if (rc != 0) {
        /* PostgreSQL checks foreign keys when the buffered rows are copied
         * (at the commit): still the file's fault, not the store's. */
        if (e.code == ERR_DB && e.constraint == ERR_CONSTRAINT_FOREIGN_KEY) {
            char was[sizeof e.msg];
            str_copy(was, e.msg, sizeof was);
            err_at(&e, ERR_INPUT, en->path, 0, 0, e.field[0] ? e.field : NULL,
                   "a record names a patient or organisation that is neither stored nor in this "
                   "file (load those first): %.200s",
                   was);
            rc = ERR_INPUT;
        }
        err_where(&e, en->path, 0, 0, NULL);
        memset(r->counts, 0, sizeof r->counts);
        fail_result(r, &e);
        return rc;
    }
    r->status = IMPORT_LOADED;
    return 0;
}

int import_paths(store_t *s, const char *const *paths, size_t npaths, const import_opts_t *o,
                 import_summary_t *sum, err_t *e)
{
    memset(sum, 0, sizeof *sum);
    if (sodium_init() < 0)
        return err_set(e, ERR_INTERNAL, "libsodium failed to initialise");
    double t0 = now_s();
    list_t l = { NULL, 0, 0 };
    int rc = 0;
    for (size_t i = 0; i < npaths && rc == 0; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0)
            rc = err_at(e, ERR_USAGE, paths[i], 0, 0, NULL, "no such file or folder");
        else if (S_ISDIR(st.st_mode))
            rc = dir_walk(paths[i], walk_file, &l, e);
        else
            list_add(&l, paths[i], true);
    }
    if (rc != 0)
        goto done;

    /* Detect every file from its first bytes, then order parents first. */
    bool synthea_fhir = false;
    uint64_t total = 0;
    for (size_t i = 0; i < l.n; i++) {
        entry_t *en = &l.v[i];
        char *pre;
        size_t n;
        err_t fe;
        if (read_file(en->path, DETECT_PREFIX, &pre, &n, &fe) != 0) {
            en->fmt = IMPORT_FMT_UNKNOWN;
            en->rank = 3;
            continue;
        }
        en->fmt = import_detect(pre, n, &en->synthea);
        en->rank = rank_entry(en->fmt, pre, n);
        struct stat st;
        en->size = stat(en->path, &st) == 0 ? (int64_t)st.st_size : 0;
        if (en->synthea && (en->fmt == IMPORT_FMT_FHIR_JSON || en->fmt == IMPORT_FMT_FHIR_NDJSON))
            synthea_fhir = true;
        mem_free(pre);
    }
    if (l.n)
        qsort(l.v, l.n, sizeof *l.v, cmp_entry);
    for (size_t i = 0; i < l.n; i++)
        total += (uint64_t)l.v[i].size;

    sum->files = mem_calloc(l.n ? l.n : 1, sizeof *sum->files);
    sum->nfiles = l.n;
    import_run_t run = { 0 };
    uint64_t done = 0;
    for (size_t i = 0; i < l.n; i++) {
        entry_t *en = &l.v[i];
        import_file_result_t *r = &sum->files[i];
        r->path = mem_strdup(en->path);
        r->format = en->fmt;
        r->bytes = en->size;
        bool synthea_csv =
            en->synthea && en->fmt != IMPORT_FMT_FHIR_JSON && en->fmt != IMPORT_FMT_FHIR_NDJSON;
        if (en->fmt == IMPORT_FMT_UNKNOWN && !en->explicit_arg) {
            r->status = IMPORT_SKIPPED;
            set_reason(r, "%s", en->size == 0 ? "empty file" : "unrecognised content");
        } else if (en->fmt == IMPORT_FMT_UNKNOWN && en->size == 0) {
            err_t fe;
            err_at(&fe, ERR_INPUT, en->path, 0, 0, NULL, "empty file");
            fail_result(r, &fe);
        } else if (en->fmt == IMPORT_FMT_SYNTHEA_OTHER) {
            r->status = IMPORT_SKIPPED;
            set_reason(r, "Synthea table with no place in the store");
        } else if (en->fmt == IMPORT_FMT_SYNTHEA_PROVIDERS) {
            r->status = IMPORT_SKIPPED;
            set_reason(r, "Synthea providers carry no NPI (the store keys practitioners by NPI)");
        } else if (synthea_csv && synthea_fhir) {
            r->status = IMPORT_SKIPPED;
            set_reason(r, "the FHIR form of this Synthea output is in the same import");
        } else {
            load_file(s, en, r, o, &run, done, total);
        }
        done += (uint64_t)en->size;
        if (o && o->progress)
            o->progress(o->ctx, done, total);
        if (r->status == IMPORT_LOADED) {
            sum->loaded++;
            for (int k = 0; k < IK_COUNT; k++)
                sum->counts[k] += r->counts[k];
        } else if (r->status == IMPORT_SKIPPED) {
            sum->skipped++;
        } else {
            if (sum->failed++ == 0)
                *e = r->err;
        }
        if (o && o->file_done)
            o->file_done(o->ctx, r);
    }
    hmap_free(&run.orgs);
    if (sum->failed && rc == 0)
        rc = e->code == ERR_OK ? ERR_INPUT : e->code;
done:
    for (size_t i = 0; i < l.n; i++)
        mem_free(l.v[i].path);
    mem_free(l.v);
    sum->seconds = now_s() - t0;
    return rc;
}
