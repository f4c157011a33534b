/* adt.h — HL7 v2 ADT messages as encounter events.
 *
 * Of the ADT trigger events, five change what a care team must know about an
 * encounter and become an adt_event_t:
 *
 *   A01 admit/visit notification      -> ADT_ADMIT
 *   A02 transfer a patient            -> ADT_TRANSFER
 *   A03 discharge/end visit           -> ADT_DISCHARGE (PV1-36 disposition, PV1-45 time)
 *   A04 register a patient            -> ADT_REGISTER
 *   A08 update patient information    -> ADT_UPDATE
 *
 * Every other message (other ADT events, ORU, SIU...) is kept raw by the
 * caller: adt_map reports it as not mapped. The mapping is strict about what
 * links and orders events — MSH-9, MSH-10, PID-3 with at least one
 * identifier, parseable EVN-2/MSH-7, PID-7, PV1-44 and PV1-45 — and lenient
 * about the rest (a missing PV1 or DG1 leaves those fields empty).
 *
 * Memory: the event and all its strings live in the arena of the message.
 */
#ifndef TRIPOD_INGEST_ADT_H
#define TRIPOD_INGEST_ADT_H

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "ingest/hl7v2.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADT_TIME_NONE INT64_MIN /* equal to STORE_TIME_NONE */

typedef enum adt_kind {
    ADT_NONE = 0,  /* not an encounter event: kept raw */
    ADT_ADMIT,     /* A01 */
    ADT_TRANSFER,  /* A02 */
    ADT_DISCHARGE, /* A03 */
    ADT_REGISTER,  /* A04 */
    ADT_UPDATE     /* A08 */
} adt_kind_t;

/* A patient identifier from PID-3 (CX): ID^check digit^scheme^assigning
 * authority (HD: namespace&universal id&type)^identifier type^facility. */
typedef struct adt_ident {
    const char *id;            /* CX.1 */
    const char *authority;     /* CX.4.1 namespace id, e.g. "MPI"; "" when none */
    const char *authority_oid; /* CX.4.2 universal id, e.g. an OID; "" when none */
    const char *type;          /* CX.5 identifier type code, e.g. "MR", "SS" */
} adt_ident_t;

/* A diagnosis from DG1-3 (CWE: code^text^coding system). */
typedef struct adt_dx {
    const char *code;
    const char *text;
    const char *system; /* e.g. "I10", "I9", "SCT" */
} adt_dx_t;

/* Times are ISO 8601 at the precision the message gave, with its offset
 * ("2015-02-09T11:34:19+01:10"), or "" when absent. */
typedef struct adt_event {
    adt_kind_t kind;
    const char *trigger;          /* MSH-9.2, e.g. "A03" */
    const char *control_id;       /* MSH-10: the sender's unique id of the message */
    const char *sending_app;      /* MSH-3.1 */
    const char *sending_facility; /* MSH-4.1 */
    const char *event_time;       /* EVN-2, else MSH-7 */
    date_t event_date;
    int64_t event_at; /* the same in seconds since the epoch (hl7_ts_epoch) */

    adt_ident_t *ids; /* PID-3, every repetition, in order; at least one */
    size_t nids;
    const char *family_name; /* PID-5.1.1 */
    const char *given_name;  /* PID-5.2 */
    date_t birth_date;       /* PID-7; DATE_NONE when absent */
    const char *sex;         /* PID-8 (HL7 table 0001: F, M, O, U, A, N...) */

    const char *patient_class; /* PV1-2: I inpatient, O outpatient, E emergency... */
    const char *location; /* PV1-3 point of care^room^bed^facility, as "ward/room/bed@facility" */
    const char *prior_location;   /* PV1-6, for transfers */
    const char *attending_id;     /* PV1-7.1 */
    const char *attending_name;   /* PV1-7 family, given */
    const char *admit_type;       /* PV1-4 */
    const char *hospital_service; /* PV1-10 */
    const char *visit_number;     /* PV1-19.1 */
    const char *disposition;      /* PV1-36 discharge disposition (table 0112: 01 home...) */
    const char *admit_time;       /* PV1-44 */
    const char *discharge_time;   /* PV1-45 (first repetition) */
    int64_t admit_at;             /* PV1-44 in seconds since the epoch; ADT_TIME_NONE */
    int64_t discharge_at;         /* PV1-45 likewise */

    adt_dx_t *dx; /* DG1-3 of every DG1 segment */
    size_t ndx;
} adt_event_t;

/* "admit", "transfer", "discharge", "register", "update", or "" for none. */
const char *adt_kind_name(adt_kind_t k);
/* The kind of a trigger event code ("A01" -> ADT_ADMIT), ADT_NONE otherwise. */
adt_kind_t adt_kind_of(const char *message_code, const char *trigger);

/* Maps a parsed message. Sets *out to the event (in the message's arena) for
 * A01/A02/A03/A04/A08, or to NULL for any other message (kept raw). Returns 0,
 * or ERR_INPUT with e naming the segment-field ("PID-7") and its line when
 * something the event needs is missing or malformed. */
int adt_map(arena_t *a, const hl7_msg_t *m, adt_event_t **out, err_t *e);

/* --- Storing -------------------------------------------------------------- */

/* Puts one message into s: the raw message (hl7_message, segments separated
 * by CR, status "processed" when ev is given, "received" when kept raw) and
 * then its event (adt_event). Keyed by (MSH-4, MSH-10): a re-sent message
 * replaces the stored one. Opens no transaction: the caller wraps a message
 * (MLLP) or a file (import) in one. received_at: seconds since the epoch. */
int adt_store(store_t *s, const hl7_msg_t *m, const adt_event_t *ev, int64_t received_at, err_t *e);

typedef struct adt_import_stats {
    long messages; /* messages read */
    long events;   /* of which mapped to encounter events */
} adt_import_stats_t;

/* Imports every message of a file or stream (see hl7_next_message) into s,
 * in the caller's transaction: parse, map and store each. name is used in
 * errors only ("file.hl7:12: PID-7: invalid date of birth"). The first bad
 * message stops the import with ERR_INPUT (the caller rolls back). */
int adt_import(store_t *s, const char *name, const char *buf, size_t n, adt_import_stats_t *st,
               err_t *e);

#endif
