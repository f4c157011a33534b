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

/* The system named by a FHIR system URI (http://hl7.org/fhir/sid/icd-10-cm,
 * http://loinc.org, http://snomed.info/sct, http://www.nlm.nih.gov/research/umls/rxnorm,
 * http://www.ama-assn.org/go/cpt, urn:oid:2.16.840.1.113883.6.285 (HCPCS),
 * http://hl7.org/fhir/sid/ndc, http://hl7.org/fhir/sid/cvx ...), or CODE_UNKNOWN. */
code_system_t code_system_from_uri(const char *uri);
/* The canonical FHIR system URI of a system. */
const char *code_system_uri(code_system_t sys);
/* Short name: "ICD10CM", "HCPCS", "LOINC", "SNOMED", "NDC", "RXNORM", ... */
const char *code_system_name(code_system_t sys);
/* The FHIR system URI for one canonical CPT/HCPCS code, since CODE_CPT_HCPCS
 * covers two code systems: HCPCS Level II codes (a leading letter, G0439) get
 * https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets, CPT codes (99214,
 * 0001F) http://www.ama-assn.org/go/cpt (which code_system_uri returns). */
const char *code_cpt_hcpcs_uri(const char *code);

#endif
