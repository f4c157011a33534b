/* mllp.c — the MLLP listener (see mllp.h).
 *
 * One thread accepts; each connection gets its own thread, up to max_conns
 * (more wait in the kernel's backlog). A connection thread reads with a
 * short poll so that it notices a stop request between frames, decodes
 * frames, calls the handler and writes the ACK only after the handler
 * returned. Stopping closes the listener, lets every connection finish the
 * frames it has read, and waits for all of them.
 */
#include "ingest/mllp.h"

#include "core/arena.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"

enum { S_IDLE = 0, S_FRAME, S_END, S_OVER, S_OVER_END };

/* --- Frame decoding ----------------------------------------------------------- */

void mllp_decoder_init(mllp_decoder_t *d, size_t max_frame)
{
    memset(d, 0, sizeof *d);
    d->max = max_frame ? max_frame : MLLP_DEFAULT_MAX_FRAME;
    buf_init(&d->frame, d->max);
}

void mllp_decoder_free(mllp_decoder_t *d)
{
    buf_free(&d->frame);
}

const char *mllp_decoder_frame(const mllp_decoder_t *d, size_t *len)
{
    *len = d->frame.len;
    return buf_cstr(&d->frame);
}

int mllp_decoder_in_frame(const mllp_decoder_t *d)
{
    return d->state != S_IDLE;
}

mllp_event_t mllp_decode(mllp_decoder_t *d, const char *p, size_t n, size_t *used)
{
    size_t i = 0;
    while (i < n) {
        char c = p[i];
        switch (d->state) {
        case S_IDLE:
            if (c == MLLP_START) {
                buf_reset(&d->frame);
                d->state = S_FRAME;
            } else if (c != '\r' && c != '\n' && c != ' ' && c != '\t') {
                *used = i + 1;
                return MLLP_JUNK;
            }
            i++;
            break;
        case S_FRAME: {
            /* Copy the run of ordinary bytes at once. */
            size_t j = i;
            while (j < n && p[j] != MLLP_END && p[j] != MLLP_START)
                j++;
            if (j > i) {
                if (d->frame.len + (j - i) > d->max) {
                    d->dropped = d->frame.len + (j - i);
                    buf_reset(&d->frame);
                    d->state = S_OVER;
                    i = j;
                    break;
                }
                buf_append(&d->frame, p + i, j - i);
                i = j;
            }
            if (i < n) {
                if (p[i] == MLLP_END)
                    d->state = S_END;
                else
                    buf_reset(&d->frame); /* a new start: the sender gave up on the last frame */
                i++;
            }
            break;
        }
        case S_END:
            d->state = S_IDLE;
            /* MLLP wants 0x0D after 0x1C; a missing one is forgiven and the
             * byte is read again as the start of what follows. */
            *used = c == MLLP_CR ? i + 1 : i;
            return MLLP_FRAME;
        case S_OVER:
            if (c == MLLP_END)
                d->state = S_OVER_END;
            else
                d->dropped++;
            i++;
            break;
        case S_OVER_END:
            d->state = S_IDLE;
            *used = c == MLLP_CR ? i + 1 : i;
            return MLLP_OVERSIZE;
        default:
            d->state = S_IDLE;
            break;
        }
    }
    *used = n;
    return MLLP_NEED_MORE;
}

/* --- Acknowledgements ------------------------------------------------------ */

static const hl7_delims_t default_delims = { '|', '^', '~', '\\', '&', 0 };

/* HL7 table 0357 message error condition codes used here. */
static const char *err_code_text(int code)
{
    switch (code) {
    case 100:
        return "Segment sequence error";
    case 101:
        return "Required field missing";
    case 102:
        return "Data type error";
    case 200:
        return "Unsupported message type";
    default:
        return "Application internal error";
    }
}

int mllp_build_ack(buf_t *out, const hl7_msg_t *m, const char *code, const err_t *why)
{
    const hl7_delims_t *d = m ? hl7_delims(m) : &default_delims;
    char F = d->field, C = d->comp, S = d->sub ? d->sub : d->comp;
    const char *enc = m ? hl7_get(m, "MSH", 0, 2, 0, 1, 1) : "^~\\&";
    const char *snd_app = m ? hl7_get_raw(m, "MSH", 0, 3) : "";
    const char *snd_fac = m ? hl7_get_raw(m, "MSH", 0, 4) : "";
    const char *rcv_app = m ? hl7_get_raw(m, "MSH", 0, 5) : "";
    const char *rcv_fac = m ? hl7_get_raw(m, "MSH", 0, 6) : "";
    const char *ctrl = m ? hl7_get_raw(m, "MSH", 0, 10) : "";
    const char *proc = m ? hl7_get_raw(m, "MSH", 0, 11) : "";
    const char *ver = m ? hl7_get_raw(m, "MSH", 0, 12) : "";
    char trig[32];
    hl7_escape(d, m ? hl7_trigger(m) : "", trig, sizeof trig);
    if (!*proc)
        proc = "P";
    if (!*ver)
        ver = "2.5";

    static atomic_ulong seq;
    unsigned long n = atomic_fetch_add(&seq, 1) + 1;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y%m%d%H%M%S+0000", &tm);

    size_t before = out->len;
    int rc = 0;
    rc |= buf_printf(out, "%cMSH%c%s%c%s%c%s%c%s%c%s%c%s%c%cACK%c%s%cACK%cT%lld.%lu%c%s%c%s\r",
                     MLLP_START, F, enc, F, rcv_app, F, rcv_fac, F, snd_app, F, snd_fac, F, ts, F,
                     F, C, trig, C, F, (long long)now, n, F, proc, F, ver);
    char text[600] = "";
    if (why && why->code != ERR_OK) {
        char msg[700];
        if (why->field[0])
            snprintf(msg, sizeof msg, "%s: %s", why->field, why->msg);
        else
            snprintf(msg, sizeof msg, "%s", why->msg);
        hl7_escape(d, msg, text, sizeof text);
    }
    rc |= buf_printf(out, "MSA%c%s%c%s", F, code, F, ctrl);
    if (strcmp(code, "AA") != 0)
        rc |= buf_printf(out, "%c%s", F, text); /* MSA-3 for v2.3/2.4 receivers */
    rc |= buf_putc(out, '\r');
    if (strcmp(code, "AA") != 0) {
        /* Location from the error's field, "PID-7" -> PID^1^7. */
        char seg[8] = "", fld[8] = "";
        if (why && why->field[0]) {
            const char *dash = strchr(why->field, '-');
            size_t sl = dash ? (size_t)(dash - why->field) : strlen(why->field);
            if (sl == 3) {
                memcpy(seg, why->field, 3);
                if (dash) {
                    size_t k = 0;
                    for (const char *q = dash + 1; *q >= '0' && *q <= '9' && k < 5; q++)
                        fld[k++] = *q;
                    fld[k] = 0;
                }
            }
        }
        int ecode = 207;
        if (why && why->code == ERR_INPUT)
            ecode = strncmp(why->msg, "missing", 7) == 0 ? 101 : 102;
        if (why && why->code == ERR_USAGE)
            ecode = 200;
        const char *seq_s = seg[0] ? "1" : "";
        /* ERR-1 (ELD, v2.3/2.4) | ERR-2 (ERL) | ERR-3 (CWE) | ERR-4 | ... | ERR-8 */
        rc |= buf_printf(out, "ERR%c%s%c%s%c%s%c%d%c%s%cHL70357%c%s%c%s%c%s%c%d%c%s%cHL70357%cE", F,
                         seg, C, seq_s, C, fld, C, ecode, S, err_code_text(ecode), S, F, seg, C,
                         seq_s, C, fld, F, ecode, C, err_code_text(ecode), C, F);
        rc |= buf_printf(out, "%c%c%c%c%s\r", F, F, F, F, text);
    }
    rc |= buf_putc(out, MLLP_END);
    rc |= buf_putc(out, MLLP_CR);
    if (rc) {
        out->len = before;
        if (out->data)
            out->data[before] = 0;
        return -1;
    }
    return 0;
}

/* --- The server ----------------------------------------------------------- */

struct mllp_server {
    mllp_config_t cfg;
    int lfd;
    int port;
    int wake[2];
    atomic_int stopping;
    pthread_mutex_t mu;
    pthread_cond_t idle;
    int active;
    mllp_stats_t stats;
};

typedef struct conn {
    mllp_server_t *s;
    int fd;
} conn_t;

int mllp_server_open(const mllp_config_t *cfg, mllp_server_t **out, err_t *e)
{
    *out = NULL;
    if (!cfg->handler)
        return err_set(e, ERR_USAGE, "mllp: no handler");
    if (cfg->port < 0 || cfg->port > 65535)
        return err_set(e, ERR_USAGE, "mllp: port %d out of range", cfg->port);
    const char *host = cfg->bind ? cfg->bind : "127.0.0.1";
    char port[16];
    snprintf(port, sizeof port, "%d", cfg->port);
    struct addrinfo hints = { 0 }, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0)
        return err_set(e, ERR_USAGE, "mllp: cannot resolve bind address '%s': %s", host,
                       gai_strerror(gai));
    int fd = -1;
    int saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return err_set(e, ERR_IO, "mllp: cannot listen on %s:%d: %s", host, cfg->port,
                       strerror(saved));
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int bound = cfg->port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET)
            bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    mllp_server_t *s = mem_calloc(1, sizeof *s);
    s->cfg = *cfg;
    if (!s->cfg.max_frame)
        s->cfg.max_frame = MLLP_DEFAULT_MAX_FRAME;
    if (s->cfg.max_conns <= 0)
        s->cfg.max_conns = MLLP_DEFAULT_MAX_CONNS;
    if (s->cfg.idle_timeout_ms <= 0)
        s->cfg.idle_timeout_ms = 300000;
    s->lfd = fd;
    s->port = bound;
    if (pipe(s->wake) != 0) {
        saved = errno;
        close(fd);
        mem_free(s);
        return err_set(e, ERR_IO, "mllp: pipe: %s", strerror(saved));
    }
    for (int i = 0; i < 2; i++) {
        fcntl(s->wake[i], F_SETFL, fcntl(s->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(s->wake[i], F_SETFD, FD_CLOEXEC);
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->idle, NULL);
    *out = s;
    return 0;
}

int mllp_server_port(const mllp_server_t *s)
{
    return s->port;
}

void mllp_server_stop(mllp_server_t *s)
{
    atomic_store(&s->stopping, 1);
    ssize_t w = write(s->wake[1], "x", 1);
    (void)w;
}

void mllp_server_stats(mllp_server_t *s, mllp_stats_t *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->stats;
    pthread_mutex_unlock(&s->mu);
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Parses, hands over and answers one frame. Returns -1 when the answer could
 * not be sent (the connection is then closed). */
static int serve_frame(mllp_server_t *s, int fd, const char *msg, size_t len)
{
    arena_t *a = arena_new(0);
    err_t e;
    err_clear(&e);
    hl7_msg_t *m = NULL;
    const char *code;
    int rc = hl7_parse(a, msg, len, 1, &m, &e);
    hl7_msg_t *head = m;
    if (rc != 0) {
        /* Not a message we can take; answer from its MSH alone if that much
         * parses, so that the sender can match the reject to its message. */
        size_t k = 0;
        while (k < len && msg[k] != '\r' && msg[k] != '\n')
            k++;
        err_t e2;
        err_clear(&e2);
        if (hl7_parse(a, msg, k, 1, &head, &e2) != 0)
            head = NULL;
        code = "AR";
    } else {
        rc = s->cfg.handler(s->cfg.ctx, m, msg, len, &e);
        if (rc == 0)
            code = "AA";
        else if (rc == ERR_INPUT)
            code = "AE";
        else
            code = "AR";
        if (rc != 0 && e.code == ERR_OK)
            err_set(&e, rc, "message not stored");
    }
    buf_t ack;
    buf_init(&ack, 1 << 16);
    mllp_build_ack(&ack, head, code, &e);
    int ok = send_all(fd, ack.data, ack.len);
    buf_free(&ack);
    arena_free(a);
    pthread_mutex_lock(&s->mu);
    s->stats.frames++;
    if (code[1] == 'A')
        s->stats.aa++;
    else if (code[1] == 'E')
        s->stats.ae++;
    else
        s->stats.ar++;
    pthread_mutex_unlock(&s->mu);
    if (rc != 0) {
        /* The error names a field and a reason, never a value of a person. */
        log_kv(LOG_INFO, "mllp.reject", "ack", code, "error", e.field, NULL);
    }
    return ok;
}

static int send_reject(int fd, const char *why)
{
    err_t e;
    err_clear(&e);
    err_set(&e, ERR_INPUT, "%s", why);
    e.code = ERR_IO; /* not a content error: AR with code 207 */
    buf_t ack;
    buf_init(&ack, 1 << 16);
    mllp_build_ack(&ack, NULL, "AR", &e);
    int rc = send_all(fd, ack.data, ack.len);
    buf_free(&ack);
    return rc;
}

static void *conn_main(void *arg)
{
    conn_t *c = arg;
    mllp_server_t *s = c->s;
    int fd = c->fd;
    mem_free(c);
    struct timeval tv = { 10, 0 }; /* a peer that stops reading its ACKs */
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    mllp_decoder_t d;
    mllp_decoder_init(&d, s->cfg.max_frame);
    char *rbuf = mem_alloc(65536);
    int idle = 0;
    for (;;) {
        if (atomic_load(&s->stopping))
            break;
        struct pollfd pf = { fd, POLLIN, 0 };
        int r = poll(&pf, 1, 200);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0) {
            idle += 200;
            if (idle >= s->cfg.idle_timeout_ms)
                break;
            continue;
        }
        idle = 0;
        ssize_t got = recv(fd, rbuf, 65536, 0);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (got <= 0)
            break; /* the peer closed or reset */
        size_t off = 0;
        bool close_now = false;
        while (off < (size_t)got && !close_now) {
            size_t used = 0;
            mllp_event_t ev = mllp_decode(&d, rbuf + off, (size_t)got - off, &used);
            off += used;
            if (ev == MLLP_FRAME) {
                size_t len;
                const char *msg = mllp_decoder_frame(&d, &len);
                if (serve_frame(s, fd, msg, len) != 0)
                    close_now = true;
            } else if (ev == MLLP_OVERSIZE) {
                char why[96];
                snprintf(why, sizeof why, "frame larger than %zu bytes", s->cfg.max_frame);
                pthread_mutex_lock(&s->mu);
                s->stats.frames++;
                s->stats.ar++;
                pthread_mutex_unlock(&s->mu);
                if (send_reject(fd, why) != 0)
                    close_now = true;
            } else if (ev == MLLP_JUNK) {
                /* Not MLLP: say so once and hang up rather than guess. */
                pthread_mutex_lock(&s->mu);
                s->stats.ar++;
                pthread_mutex_unlock(&s->mu);
                send_reject(fd, "bytes outside an MLLP frame (0x0B ... 0x1C 0x0D)");
                close_now = true;
            } else {
                break;
            }
        }
        if (close_now)
            break;
    }
    pthread_mutex_lock(&s->mu);
    if (mllp_decoder_in_frame(&d))
        s->stats.dropped_partial++;
    pthread_mutex_unlock(&s->mu);
    mem_free(rbuf);
    mllp_decoder_free(&d);
    close(fd);
    pthread_mutex_lock(&s->mu);
    s->active--;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int mllp_server_run(mllp_server_t *s, err_t *e)
{
    int status = 0;
    while (!atomic_load(&s->stopping)) {
        pthread_mutex_lock(&s->mu);
        bool full = s->active >= s->cfg.max_conns;
        pthread_mutex_unlock(&s->mu);
        struct pollfd pf[2] = { { s->wake[0], POLLIN, 0 }, { s->lfd, full ? 0 : POLLIN, 0 } };
        int r = poll(pf, 2, full ? 50 : 1000);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            status = err_set(e, ERR_IO, "mllp: poll: %s", strerror(errno));
            break;
        }
        if (pf[0].revents) {
            char tmp[64];
            while (read(s->wake[0], tmp, sizeof tmp) > 0)
                ;
            continue;
        }
        if (full || !(pf[1].revents & POLLIN))
            continue;
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                poll(NULL, 0, 100); /* out of descriptors: let connections finish */
            continue;
        }
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        conn_t *c = mem_alloc(sizeof *c);
        c->s = s;
        c->fd = fd;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 1024 * 1024);
        pthread_t t;
        pthread_mutex_lock(&s->mu);
        s->active++;
        s->stats.connections++;
        pthread_mutex_unlock(&s->mu);
        /* Connection threads take no process signals (SIGTERM is for the
         * thread that runs the server): they inherit a full mask. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        int created = pthread_create(&t, &attr, conn_main, c);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (created != 0) {
            close(fd);
            mem_free(c);
            pthread_mutex_lock(&s->mu);
            s->active--;
            pthread_mutex_unlock(&s->mu);
        }
        pthread_attr_destroy(&attr);
    }
    /* Stop taking connections, then wait for those in progress. */
    if (s->lfd >= 0) {
        close(s->lfd);
        s->lfd = -1;
    }
    pthread_mutex_lock(&s->mu);
    while (s->active > 0)
        pthread_cond_wait(&s->idle, &s->mu);
    pthread_mutex_unlock(&s->mu);
    return status;
}

void mllp_server_close(mllp_server_t *s)
{
    if (!s)
        return;
    if (s->lfd >= 0)
        close(s->lfd);
    close(s->wake[0]);
    close(s->wake[1]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->idle);
    mem_free(s);
}
