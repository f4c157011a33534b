/* elm_int.h — the ELM engine's internals, shared by elm_load.c and elm_eval.c. */
#ifndef TRIPOD_MEASURES_ELM_INT_H
#define TRIPOD_MEASURES_ELM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hmap.h"
#include "measures/elm.h"

/* Node operators: one per ELM node type supported. */
/* clang-format off */
#define ELM_OPS(X) \
    X(Null) X(Literal) X(Quantity) X(List) X(Tuple) X(Instance) X(Interval) X(DateTime) \
    X(Date) X(Time) X(CodeRef) X(ValueSetRef) X(ExpressionRef) X(FunctionRef) \
    X(ParameterRef) X(OperandRef) X(AliasRef) X(QueryLetRef) X(IdentifierRef) X(Property) \
    X(Retrieve) X(Query) X(And) X(Or) X(Xor) X(Implies) X(Not) X(IsNull) X(IsTrue) \
    X(IsFalse) X(Coalesce) X(If) X(Case) X(Equal) X(NotEqual) X(Equivalent) X(Less) \
    X(LessOrEqual) X(Greater) X(GreaterOrEqual) X(Add) X(Subtract) X(Multiply) X(Divide) \
    X(Negate) X(Abs) X(Round) X(Truncate) X(Floor) X(Ceiling) X(Modulo) X(TruncatedDivide) \
    X(Concatenate) X(Split) X(Upper) X(Lower) X(StartsWith) X(EndsWith) X(Length) X(Exists) \
    X(Count) X(Sum) X(Min) X(Max) X(Avg) X(First) X(Last) X(SingletonFrom) X(Distinct) \
    X(Flatten) X(Union) X(Intersect) X(Except) X(ToList) X(Start) X(End) X(Width) X(In) \
    X(Contains) X(IncludedIn) X(Includes) X(ProperIncludedIn) X(ProperIncludes) X(Overlaps) \
    X(OverlapsBefore) X(OverlapsAfter) X(Before) X(After) X(SameAs) X(SameOrBefore) \
    X(SameOrAfter) X(Meets) X(MeetsBefore) X(MeetsAfter) X(Starts) X(Ends) X(Collapse) \
    X(Expand) X(DateFrom) X(TimeFrom) X(DateTimeComponentFrom) X(DurationBetween) \
    X(DifferenceBetween) X(CalculateAgeAt) X(CalculateAge) X(ToDateTime) X(ToDate) \
    X(ToDecimal) X(ToInteger) X(ToString) X(ToBoolean) X(ToQuantity) X(ToConcept) X(ToCode) \
    X(ConvertQuantity) X(As) X(Is) X(InValueSet) X(AnyInValueSet) X(MinValue) X(MaxValue) \
    X(Message) X(Today) X(Now) X(Predecessor) X(Successor) X(AllTrue) X(AnyTrue) X(Indexer) \
    X(Combine) X(Substring)
/* clang-format on */

#define ELM_OP_ENUM(n) OP_##n,
typedef enum elm_op { ELM_OPS(ELM_OP_ENUM) OP__COUNT } elm_op_t;

typedef struct node node_t;
typedef struct elm_vs elm_vs_t;

/* Type tests: a System type, a FHIR type, or structural. */
typedef enum ttype_kind {
    TT_ANY = 0,
    TT_SYSTEM, /* kind holds a cql_kind_t */
    TT_FHIR,   /* name holds the FHIR type's local name */
    TT_LIST,
    TT_INTERVAL
} ttype_kind_t;

typedef struct ttype {
    ttype_kind_t tk;
    int kind;         /* cql_kind_t for TT_SYSTEM */
    const char *name; /* FHIR local name */
} ttype_t;

typedef struct qsrc {
    const char *alias;
    node_t *expr;
} qsrc_t;

typedef struct qrel {
    const char *alias;
    node_t *expr, *such;
    bool without;
} qrel_t;

typedef struct qsort {
    bool desc;
    node_t *expr;     /* ByExpression, or NULL */
    const char *path; /* ByColumn, or NULL */
} qsort_t;

typedef struct query {
    int nsrc, nlet, nrel, nsort;
    qsrc_t *src;
    qsrc_t *let;
    qrel_t *rel;
    qsort_t *sort;
    node_t *where, *ret;
    bool distinct;
    /* aggregate clause */
    const char *agg_alias;
    node_t *agg_expr, *agg_start;
    bool agg_distinct;
} query_t;

typedef struct retrieve {
    const char *type;       /* FHIR resource type ("Encounter") */
    const char *code_path;  /* codeProperty or NULL */
    char comparator;        /* 'i' in, '~' equivalent, '=' equal */
    node_t *codes;          /* ValueSetRef or code list expression, or NULL */
    int profile;            /* a profile constraint (RP_*) */
    const char *fixed_code; /* profile's fixed LOINC code, or NULL */
} retrieve_t;

enum { RP_NONE = 0, RP_NOT_DONE, RP_NOT_REQUESTED };

typedef const cql_value_t *(*native_fn)(elm_ctx_t *ctx, const cql_value_t **args, int n);

struct node {
    uint16_t op;
    int8_t prec; /* precision for temporal operators, CQL_P_NONE if none */
    uint8_t flags;
    int n; /* operands */
    node_t **a;
    const char *name; /* interned: alias, property path, parameter name ... */
    const cql_value_t *lit;
    elm_def_t *def;    /* ExpressionRef, ParameterRef, single FunctionRef target */
    elm_def_t **cands; /* FunctionRef overloads to choose from at run time */
    int ncands;
    native_fn native; /* FHIRHelpers natives */
    elm_vs_t *vs;
    query_t *q;
    retrieve_t *r;
    ttype_t tt;
    const char **names; /* Tuple/Instance element names */
    int slot;           /* memo slot (Retrieve) or -1 */
    const char *where;  /* "Library.Definition" for messages */
};

#define NF_LC        1 /* interval lowClosed */
#define NF_HC        2 /* interval highClosed */
#define NF_LCEXPR    4 /* lowClosed given by an expression (operand 2) */
#define NF_HCEXPR    8 /* highClosed given by an expression (operand 3) */
#define NF_DISTINCT  16
#define NF_COMPARAND 32 /* Case with comparand (operand 0) */

typedef enum def_state { DS_NEW = 0, DS_COMPILING, DS_DONE } def_state_t;

struct elm_def {
    const char *name;
    elm_lib_t *lib;
    json_t *json;
    bool is_func, is_param;
    def_state_t state;
    node_t *body; /* expression, function body, or parameter default */
    int nparams;
    const char **params; /* interned operand names */
    ttype_t *ptypes;
    native_fn native;
    int slot; /* memo slot for expression/parameter defs */
};

typedef struct lib_inc {
    const char *alias, *name, *version;
    elm_lib_t *lib;
} lib_inc_t;

typedef struct lib_named {
    const char *name;
    json_t *json;
} lib_named_t;

struct elm_lib {
    const char *name, *version, *url;
    json_t *resource; /* the Library resource (owned) */
    json_t *elm;      /* the decoded ELM (owned) */
    int ninc;
    lib_inc_t *inc;
    int ndefs;
    elm_def_t *defs;
    int nvs, ncodes, ncs;
    lib_named_t *vs, *codes, *cs;
};

struct elm_vs {
    const char *url;
    uint32_t idx; /* in the engine's vsets */
    size_t n;     /* codes */
};

/* A code some value set holds, in the engine-wide code table: each distinct
 * system|code once, with the value sets holding it. A resource's codes are
 * looked up once per patient; each retrieve then only tests membership. */
typedef struct vs_code {
    char *key;    /* "system|code" */
    uint32_t *vs; /* indices of the value sets holding it */
    uint32_t n, cap;
} vs_code_t;

struct elm_engine {
    arena_t *arena; /* nodes, interned strings, defs */
    elm_lib_t **libs;
    int nlibs, caplibs;
    elm_vs_t **vsets;
    int nvs, capvs;
    hmap_t interned; /* interned strings: the map's copies of its keys */
    int nslots;      /* memo slots handed out */
    /* resource types of the compiled retrieves (interned) */
    const char **rtypes;
    int nrtypes;
    /* every code of every value set (vs_code_t) */
    vs_code_t *codes;
    size_t ncodes, capcodes;
    hmap_t code_index; /* "system|code" (the entries' keys, borrowed) -> index in codes */
    /* retrieves by value set or without codes, shared by identical ones
     * (one memo slot: many libraries retrieve [Encounter: "Office Visit"]) */
    node_t **retr;
    int nretr, capretr;
};

/* Interns s (engine lifetime). */
const char *elm_intern(elm_engine_t *eng, const char *s);
elm_vs_t *elm_find_vs(elm_engine_t *eng, const char *url);
/* The code table's entry for system|code (system may be NULL), or NULL when
 * no value set holds it. */
const vs_code_t *elm_vs_code(const elm_engine_t *eng, const char *system, const char *code);
/* Whether the value set holds the code (entry from elm_vs_code; NULL: no). */
static inline bool elm_vs_has(const elm_vs_t *vs, const vs_code_t *cd)
{
    if (!cd)
        return false;
    for (uint32_t i = 0; i < cd->n; i++)
        if (cd->vs[i] == vs->idx)
            return true;
    return false;
}
/* The native FHIRHelpers function called name, or NULL. */
native_fn elm_fhirhelpers_native(const char *name);
/* Runtime: raises an error in ctx. */
void elm_raise(elm_ctx_t *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
arena_t *elm_ctx_arena(elm_ctx_t *ctx);
/* Property access on any value (FHIR JSON, tuples, System structured types). */
const cql_value_t *elm_property(elm_ctx_t *ctx, const cql_value_t *v, const char *name);
/* Type test. */
bool elm_is_type(elm_ctx_t *ctx, const cql_value_t *v, const ttype_t *t);

#endif
