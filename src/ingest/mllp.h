/* mllp.h — an HL7 v2 listener over MLLP (Minimal Lower Layer Protocol).
 *
 * Each message travels in a frame: 0x0B, the message, 0x1C 0x0D. The server
 * reads frames from many connections at once (a thread per connection, up to
 * a cap), parses each message, hands it to a handler and answers with an
 * HL7 ACK:
 *
 *   AA  the handler stored the message (it is answered only after the
 *       handler returned, so after its commit: an AA is never lost);
 *   AE  the message was HL7 but its content was refused (ERR_INPUT from the
 *       handler), with an ERR segment naming the segment-field and the reason;
 *   AR  the frame was not a parseable HL7 message, was larger than the cap,
 *       or the handler failed for another reason (store down: the sender
 *       should retry), with an ERR segment.
 *
 * Bytes outside a frame other than blanks and line ends get an AR and close
 * the connection; a connection dropped mid-frame loses only that partial
 * frame, which was never answered. mllp_server_stop (async-signal-safe) stops
 * accepting; messages already being handled are finished and answered before
 * mllp_server_run returns.
 */
#ifndef TRIPOD_INGEST_MLLP_H
#define TRIPOD_INGEST_MLLP_H

#include "core/buf.h"
#include "core/err.h"
#include "ingest/hl7v2.h"

#include <stddef.h>

#define MLLP_START 0x0B
#define MLLP_END   0x1C
#define MLLP_CR    0x0D

#define MLLP_DEFAULT_MAX_FRAME ((size_t)1 << 20) /* 1 MiB */
#define MLLP_DEFAULT_MAX_CONNS 64

/* --- Frame decoding (no I/O; used by the server and the fuzzer) ------------ */

typedef enum mllp_event {
    MLLP_NEED_MORE = 0, /* all input consumed, no complete frame yet */
    MLLP_FRAME,         /* a frame is complete: mllp_decoder_frame() */
    MLLP_OVERSIZE,      /* a frame longer than the cap ended; its bytes were dropped */
    MLLP_JUNK           /* a byte other than a blank or line end outside a frame */
} mllp_event_t;

typedef struct mllp_decoder {
    buf_t frame;    /* the message of the frame being read */
    size_t max;     /* cap on a frame's message */
    int state;      /* private */
    size_t dropped; /* bytes of an oversize frame dropped so far */
} mllp_decoder_t;

void mllp_decoder_init(mllp_decoder_t *d, size_t max_frame);
void mllp_decoder_free(mllp_decoder_t *d);
/* Reads p[0..n) up to and including the byte that completes an event, and
 * sets *used to the bytes consumed; call again with the rest. After
 * MLLP_FRAME the message is available until the next call. */
mllp_event_t mllp_decode(mllp_decoder_t *d, const char *p, size_t n, size_t *used);
const char *mllp_decoder_frame(const mllp_decoder_t *d, size_t *len);
/* True while a frame has started and not ended (a disconnect now loses it). */
int mllp_decoder_in_frame(const mllp_decoder_t *d);

/* --- Acknowledgements ---------------------------------------------------- */

/* Builds the framed ACK for a message: MSH with the sending and receiving
 * application and facility swapped, MSA-1 code ("AA", "AE" or "AR") and MSA-2
 * the original MSH-10, and for AE/AR an ERR segment (ERR-1 for v2.3/2.4
 * receivers, ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8 text) built
 * from why. m may be NULL when the frame could not be parsed. The ACK uses
 * the message's delimiters and version. Returns 0 or -1 (out of buffer). */
int mllp_build_ack(buf_t *out, const hl7_msg_t *m, const char *code, const err_t *why);

/* --- The server ------------------------------------------------------------ */

/* Stores one message. m is the parsed message, raw/len its bytes. Returns 0
 * when the message is durably stored (then answered AA), ERR_INPUT when its
 * content is refused (AE), anything else when it could not be stored (AR).
 * Called from many threads at once: the handler serialises what must be. */
typedef int (*mllp_handler_fn)(void *ctx, const hl7_msg_t *m, const char *raw, size_t len,
                               err_t *e);

typedef struct mllp_config {
    const char *bind;    /* address to listen on; NULL = "127.0.0.1" */
    int port;            /* 0 = any free port (see mllp_server_port) */
    size_t max_frame;    /* 0 = MLLP_DEFAULT_MAX_FRAME */
    int max_conns;       /* 0 = MLLP_DEFAULT_MAX_CONNS; more wait in the backlog */
    int idle_timeout_ms; /* close a connection silent this long; 0 = 300000 */
    mllp_handler_fn handler;
    void *ctx;
} mllp_config_t;

typedef struct mllp_stats {
    unsigned long connections;
    unsigned long frames;
    unsigned long aa, ae, ar;
    unsigned long dropped_partial; /* connections closed mid-frame */
} mllp_stats_t;

typedef struct mllp_server mllp_server_t;

/* Binds and listens. Returns 0, or ERR_IO/ERR_USAGE with e set. */
int mllp_server_open(const mllp_config_t *cfg, mllp_server_t **out, err_t *e);
/* The port actually bound. */
int mllp_server_port(const mllp_server_t *s);
/* Serves until mllp_server_stop; then waits for every connection to finish
 * what it is handling. Returns 0 or ERR_IO. */
int mllp_server_run(mllp_server_t *s, err_t *e);
/* Asks the server to stop; safe from a signal handler and any thread. */
void mllp_server_stop(mllp_server_t *s);
void mllp_server_stats(mllp_server_t *s, mllp_stats_t *out);
/* Closes the listener and frees the server (after mllp_server_run returned,
 * or instead of it). */
void mllp_server_close(mllp_server_t *s);

#endif
