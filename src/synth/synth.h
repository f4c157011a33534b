/* synth.h — the deterministic synthetic population behind `tripod generate`.
 *
 * A Medicare-heavy primary-care ACO: demographics and entitlement, chronic
 * conditions with realistic prevalence and co-occurrence, lab and vital
 * trajectories, utilisation and costs, attribution with leakage, SDOH needs and
 * a hidden risk process (docs/synthetic-population.md describes every figure).
 * It writes the Tuva claims input layer, FHIR R4 Bulk Data NDJSON and HL7 v2.5.1
 * ADT messages. The same options give byte-identical files whatever the number
 * of threads: patient i draws only from its own random stream.
 */
#ifndef TRIPOD_SYNTH_SYNTH_H
#define TRIPOD_SYNTH_SYNTH_H

#include "core/date.h"
#include "core/err.h"

#include <stdint.h>

/* claims: eligibility.csv, medical_claim.csv, pharmacy_claim.csv, lab_result.csv,
 * practitioner.csv */
#define SYNTH_OUT_CLAIMS 1u
#define SYNTH_OUT_FHIR   2u /* fhir/<Type>.ndjson */
#define SYNTH_OUT_HL7    4u /* hl7/adt.hl7 */
#define SYNTH_OUT_ALL    7u

#define SYNTH_MAX_PATIENTS 100000000ull
#define SYNTH_MAX_YEARS    10

typedef struct synth_opts {
    uint64_t patients;   /* 1..SYNTH_MAX_PATIENTS */
    uint64_t seed;       /* any value */
    const char *out_dir; /* created if missing */
    int years;           /* years of claims history ending at `end`, 1..SYNTH_MAX_YEARS */
    date_t end;          /* last day of the period (a fixed date, never "today") */
    unsigned outputs;    /* SYNTH_OUT_* bits */
    int threads;         /* worker threads, >= 1 */
    int progress;        /* 1: progress bar on stderr when it is a terminal */
} synth_opts_t;

/* Defaults: seed 1, 1 year ending 2025-12-31, all outputs, 1 thread, out ".". */
void synth_opts_default(synth_opts_t *o);

/* Writes the population described by o. Returns 0, or an ERR_* code with e
 * naming the file at fault. */
int synth_run(const synth_opts_t *o, err_t *e);

/* Parses "claims,fhir,hl7" (any subset, or "all") into SYNTH_OUT_* bits.
 * Returns 0, or -1 for an unknown name or an empty list. */
int synth_outputs_parse(const char *s, unsigned *out);

#endif
