/* codes.h — normalisation and validation of clinical code systems.
 *
 * Every importer and every lookup table stores codes in one canonical form so
 * that "E11.9", "e119" and " E119 " meet in a join:
 *   ICD-10-CM   upper case, no dot                       E119, I5022
 *   ICD-10-PCS  7 upper-case alphanumerics               0DTJ4ZZ
 *   CPT/HCPCS   5 characters, upper case                 99214, G0439, 0001F
 *   LOINC       digits '-' check digit (mod 10 checked)  4548-4
 *   SNOMED CT   6-18 digits, Verhoeff check digit        44054006
 *   NDC         11 digits, 5-4-2, from 11 plain digits or 00002322730
 *               a hyphenated 4-4-2, 5-3-2, 5-4-1 or 5-4-2 form (a plain
 *               10-digit NDC is ambiguous and rejected)
 *   RxNorm      digits, no leading zero                  860975
 *   CVX         1-3 digits, at least two written         08, 140
 * Each norm function reads n bytes of `in` (surrounding blanks ignored) and
 * writes the canonical form plus NUL into out (size cap); it returns 0, or -1
 * when the input is not a valid code of that system.
 */
#ifndef TRIPOD_CORE_CODES_H
#define TRIPOD_CORE_CODES_H

#include <stddef.h>

typedef enum code_system {
    CODE_UNKNOWN = 0,
    CODE_ICD10CM,
    CODE_ICD10PCS,
    CODE_CPT_HCPCS,
    CODE_LOINC,
    CODE_SNOMED,
    CODE_NDC,
    CODE_RXNORM,
    CODE_CVX
} code_system_t;

#define CODE_MAX 24 /* enough for every canonical form above + NUL */

int code_norm_icd10cm(const char *in, size_t n, char *out, size_t cap);
int code_norm_icd10pcs(const char *in, size_t n, char *out, size_t cap);
int code_norm_hcpcs(const char *in, size_t n, char *out, size_t cap);
int code_norm_loinc(const char *in, size_t n, char *out, size_t cap);
int code_norm_snomed(const char *in, size_t n, char *out, size_t cap);
int code_norm_ndc(const char *in, size_t n, char *out, size_t cap);
int code_norm_rxnorm(const char *in, size_t n, char *out, size_t cap);
int code_norm_cvx(const char *in, size_t n, char *out, size_t cap);
int code_norm(code_system_t sys, const char *in, size_t n, char *out, size_t cap);

/* ICD-10-CM with its dot after the third character, for display: E11.9. */
int code_icd10cm_dotted(const char *canonical, char *out, size_t cap);

/* FHIR system URIs, one table (codes.c) of a name, the canonical URI Tripod
 * writes and the alias URIs it reads as the same system. The canonical
 * URIs are macros too, so that static tables and string literals (the
 * generator's) can be built from them. They are the ones the published
 * eCQM value sets use (refdata/ecqm): CPT and HCPCS Level II are two rows
 * of CODE_CPT_HCPCS, HCPCS written as the VSAC's URI. */
#define CODE_URI_ICD10CM  "http://hl7.org/fhir/sid/icd-10-cm"
#define CODE_URI_ICD10PCS "http://www.cms.gov/Medicare/Coding/ICD10"
#define CODE_URI_CPT      "http://www.ama-assn.org/go/cpt"
#define CODE_URI_HCPCS    "http://www.nlm.nih.gov/research/umls/hcpcs"
#define CODE_URI_LOINC    "http://loinc.org"
#define CODE_URI_SNOMED   "http://snomed.info/sct"
#define CODE_URI_NDC      "http://hl7.org/fhir/sid/ndc"
#define CODE_URI_RXNORM   "http://www.nlm.nih.gov/research/umls/rxnorm"
#define CODE_URI_CVX      "http://hl7.org/fhir/sid/cvx"

/* The system of a FHIR system URI, canonical or alias (the HL7 OIDs as
 * urn:oid:, CMS's HCPCS address ...; one trailing slash tolerated), or
 * CODE_UNKNOWN. */
code_system_t code_system_from_uri(const char *uri);
/* The system of a store short name ("ICD10CM", "HCPCS", "LOINC" ... as
 * code_system_name gives; "CPT" too), exact case, or CODE_UNKNOWN. */
code_system_t code_system_from_name(const char *name);
/* The canonical FHIR system URI of a system ("" for CODE_UNKNOWN);
 * CODE_CPT_HCPCS gives the CPT URI. */
const char *code_system_uri(code_system_t sys);
/* The URI for one code of a system: code_system_uri, except that
 * CODE_CPT_HCPCS covers two code systems: HCPCS Level II codes (a leading
 * letter, G0439) get CODE_URI_HCPCS, CPT codes (99214, 0001F) CODE_URI_CPT. */
const char *code_system_uri_for(code_system_t sys, const char *code);
/* Short name: "ICD10CM", "HCPCS", "LOINC", "SNOMED", "NDC", "RXNORM", ... */
const char *code_system_name(code_system_t sys);
/* code_system_uri_for(CODE_CPT_HCPCS, code). */
const char *code_cpt_hcpcs_uri(const char *code);

#endif
