/* cmd_refdata.c — `tripod refdata where|verify`: which reference tables this
 * binary reads, and whether they are the ones their MANIFEST lists.
 *
 *   tripod refdata where          {"dir":..,"origin":..,"manifest_sha256":..}
 *   tripod refdata verify [--dir DIR]
 *       checks every file of DIR (default: the folder in use) against
 *       DIR/MANIFEST; prints one line per problem ("PATH: missing",
 *       "PATH: damaged: ...", "PATH: not in the MANIFEST") on stderr and a
 *       JSON summary on stdout. Exit 0 when whole, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "refdata/refdata.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tripod refdata where\n"
            "       tripod refdata verify [--dir DIR]\n\n"
            "The reference tables (CMS-HCC, eCQMs and value sets, NYU ED, readmission)\n"
            "come from --refdata DIR or TRIPOD_REFDATA, else the copy installed beside the\n"
            "binary, else the refdata/ folder of the source tree it was built from.\n\n"
            "  where         print the folder in use, where it came from and the SHA-256 of\n"
            "                its MANIFEST, as JSON\n"
            "  verify        check every file against the folder's MANIFEST: missing,\n"
            "                damaged and unlisted files are named on stderr, one per line\n"
            "  --dir DIR     verify DIR instead (any folder with a MANIFEST, e.g. tests/data)\n\n"
            "Exit codes: 0 whole, 1 a problem was found, 2 misuse.\n");
}

static void put_json_str(buf_t *b, const char *s)
{
    buf_json_str(b, s, strlen(s));
}

static void problem(void *ctx, const char *path, const char *what)
{
    (void)ctx;
    fprintf(stderr, "tripod refdata: %s: %s\n", path, what);
}

int cmd_refdata(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    if (argc < 2)
        return cli_usage_error("refdata", "say 'where' or 'verify'");
    const char *dir = refdata_dir();
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc && strcmp(argv[1], "verify") == 0)
            dir = argv[++i];
        else
            return cli_usage_error("refdata", "unknown option '%s'", argv[i]);
    }
    char hex[65];
    bool have = refdata_manifest_hash(dir, hex);
    buf_t b;
    buf_init(&b, 0);
    int rc = CLI_OK;
    if (strcmp(argv[1], "where") == 0) {
        buf_puts(&b, "{\"dir\":");
        put_json_str(&b, dir);
        buf_puts(&b, ",\"origin\":");
        put_json_str(&b, refdata_origin());
        buf_puts(&b, ",\"manifest_sha256\":");
        if (have)
            put_json_str(&b, hex);
        else
            buf_puts(&b, "null");
        buf_puts(&b, "}\n");
    } else if (strcmp(argv[1], "verify") == 0) {
        err_t e;
        err_clear(&e);
        long nfiles = 0;
        long n = refdata_verify(dir, problem, NULL, &nfiles, &e);
        if (n < 0) {
            buf_free(&b);
            return cli_report("refdata", &e);
        }
        buf_puts(&b, "{\"dir\":");
        put_json_str(&b, dir);
        buf_printf(&b, ",\"files\":%ld,\"problems\":%ld,\"manifest_sha256\":", nfiles, n);
        put_json_str(&b, hex);
        buf_puts(&b, "}\n");
        rc = n ? CLI_INPUT : CLI_OK;
    } else {
        buf_free(&b);
        return cli_usage_error("refdata", "unknown action '%s' (where, verify)", argv[1]);
    }
    fwrite(buf_cstr(&b), 1, b.len, stdout);
    buf_free(&b);
    return rc;
}
