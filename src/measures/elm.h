/* elm.h — an interpreter for ELM, the compiled form of CQL.
 *
 * The engine loads FHIR Library resources (their application/elm+json
 * content), resolves includes by name and version, and compiles the
 * definitions reached from what is asked for into a tree of nodes once. A
 * context then evaluates definitions for one patient at a time over the
 * patient's FHIR resources: expression definitions are memoised per patient
 * and every value lives in the context's arena, reset between patients.
 *
 * FHIRHelpers' conversion functions (ToValue, ToInterval, ToConcept, ...) run
 * natively for speed; every other library runs as published.
 *
 * Threads: load and compile (measure_prepare) first, from one thread; then
 * the engine is read-only and any number of contexts, one per thread,
 * evaluate concurrently.
 *
 * Ownership: the engine owns the libraries and value sets; a context belongs
 * to one thread; the patient's json_t resources are borrowed for the time of
 * an evaluation.
 */
#ifndef TRIPOD_MEASURES_ELM_H
#define TRIPOD_MEASURES_ELM_H

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "measures/cql.h"

typedef struct elm_engine elm_engine_t;
typedef struct elm_lib elm_lib_t;
typedef struct elm_def elm_def_t;
typedef struct elm_ctx elm_ctx_t;

elm_engine_t *elm_engine_new(void);
void elm_engine_free(elm_engine_t *eng);

/* Loads every FHIR Library JSON file of dir (ELM content, base64). */
int elm_load_library_dir(elm_engine_t *eng, const char *dir, err_t *e);
/* Loads one FHIR Library resource from a file. */
int elm_load_library_file(elm_engine_t *eng, const char *path, err_t *e);
/* Loads every ValueSet JSON file of dir (expansion.contains, or compose). */
int elm_load_valueset_dir(elm_engine_t *eng, const char *dir, err_t *e);

/* A library by name ("BreastCancerScreeningFHIR") or canonical URL. */
elm_lib_t *elm_find_lib(elm_engine_t *eng, const char *name_or_url);
const char *elm_lib_name(const elm_lib_t *lib);

/* Finds and compiles the expression definition `name` of lib, with all it
 * reaches. Errors name the library, the expression and the node. */
int elm_compile_def(elm_engine_t *eng, elm_lib_t *lib, const char *name, elm_def_t **out, err_t *e);

/* The FHIR resource types ("Encounter") the definitions compiled so far
 * retrieve: a patient's resources of other types are never read. Sets
 * *types (interned, engine lifetime) and returns the count. */
int elm_retrieved_types(const elm_engine_t *eng, const char *const **types);

/* ---- evaluation ---- */

elm_ctx_t *elm_ctx_new(elm_engine_t *eng);
void elm_ctx_free(elm_ctx_t *ctx);
arena_t *elm_ctx_arena(elm_ctx_t *ctx);
/* Sets a parameter for all libraries ("Measurement Period"); the value must
 * outlive the context (allocate it with elm_ctx_param_arena). */
void elm_ctx_set_param(elm_ctx_t *ctx, const char *name, const cql_value_t *v);
arena_t *elm_ctx_param_arena(elm_ctx_t *ctx);
/* Starts a patient: forgets memoised results and values, takes the patient's
 * resources (borrowed until the next begin). */
void elm_ctx_begin(elm_ctx_t *ctx, json_t *const *resources, size_t n);
/* Evaluates a compiled definition in the current patient's context. Returns
 * 0 and the value (NULL = CQL null), or an error (e.g. a Message with
 * severity Error, a SingletonFrom over several items). */
int elm_eval(elm_ctx_t *ctx, elm_def_t *def, const cql_value_t **out, err_t *e);

/* Warnings of the current patient's evaluation (CQL Message with severity
 * Error, FHIR quantities FHIRHelpers cannot convert): the count, and the
 * first message in *first (NULL when none). */
int elm_ctx_warnings(const elm_ctx_t *ctx, const char **first);

#endif
