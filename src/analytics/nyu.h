/* nyu.h — NYU ED algorithm, Johnston et al. ICD-10 update.
 *
 * Reference: ed/nyu_ed_johnston_icd10.csv (see ed/SOURCE.md): for each
 * ICD-10-CM principal diagnosis, the probabilities that an ED visit was
 * non-emergent (noner), emergent but primary-care treatable (epct), emergent,
 * ED care needed, preventable/avoidable (edcnpa), emergent, ED care needed,
 * not preventable (edcnnpa), or one of the special classes injury, psych,
 * alcohol, drug. A visit whose principal diagnosis is not in the table is
 * unclassified (the Tuva Project keeps only ed_classification_capture = 1).
 */
#ifndef TRIPOD_ANALYTICS_NYU_H
#define TRIPOD_ANALYTICS_NYU_H

#include <stdint.h>

#include "core/hmap.h"
#include "core/err.h"

/* In the order of the Tuva Project's `greatest(edcnnpa, edcnpa, epct, noner,
 * injury, psych, alcohol, drug)` case expression, which breaks ties by the
 * first listed (ed_classification__int_filter_encounter_with_classification). */
enum {
    NYU_EDCNNPA,
    NYU_EDCNPA,
    NYU_EPCT,
    NYU_NONER,
    NYU_INJURY,
    NYU_PSYCH,
    NYU_ALCOHOL,
    NYU_DRUG,
    NYU_NCLASS
};

typedef struct nyu {
    hmap_t map; /* packed ICD-10-CM -> row */
    float (*p)[NYU_NCLASS];
    size_t n;
} nyu_t;

/* Loads the table from a file, or from the reference-data directory when
 * path is NULL. */
int nyu_load(nyu_t *t, const char *path, err_t *e);
void nyu_free(nyu_t *t);
/* The probabilities for a packed principal diagnosis, or NULL (unclassified). */
const float *nyu_lookup(const nyu_t *t, uint64_t dx);
/* The class with the greatest probability, ties to the first in enum order. */
int nyu_argmax(const float *p);
/* "noner", "epct", ... */
const char *nyu_class_name(int cls);
/* Avoidable: the visit's classification is non-emergent or primary-care
 * treatable (the usual "avoidable ED" definition, ed/SOURCE.md). */
static inline int nyu_is_avoidable_class(int cls)
{
    return cls == NYU_NONER || cls == NYU_EPCT;
}

#endif
