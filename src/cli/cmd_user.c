/* cmd_user.c — `tripod user add|list|disable|passwd`: who may sign in.
 * Passwords are read from standard input (one line), never from an
 * argument, which other users of the machine could read. */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/str.h"
#include "http/auth.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tripod user add --db DB --username U --role ROLE [--patient ID]\n"
               "       tripod user passwd --db DB --username U\n"
               "       tripod user disable --db DB --username U\n"
               "       tripod user list --db DB\n\n"
               "add and passwd read the password (at least 10 characters) from standard input.\n"
               "Roles: admin, pcp, nurse, coordinator, outreach, behavioral, analyst, billing,\n"
               "patient (with --patient, the person_id of their own record).\n"
               "disable and passwd end the user's sessions. list prints JSON lines.\n"
               "Exit codes: 0 success, 1 bad input, 2 misuse.\n");
}

/* One line from stdin without its newline; echo off on a terminal. */
static int read_password(char *out, size_t cap)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "password: ");
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    char *got = fgets(out, (int)cap, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fputc('\n', stderr);
    }
    if (!got)
        return -1;
    out[strcspn(out, "\r\n")] = 0;
    return 0;
}

static int on_user(void *ctx, const store_user_t *u, err_t *e)
{
    (void)e;
    buf_t *b = ctx;
    char ts[STORE_TIME_FMT_LEN] = "";
    if (u->created_at != STORE_TIME_NONE)
        store_time_format(u->created_at, ts);
    buf_reset(b);
    int rc = buf_puts(b, "{\"username\":") || buf_json_str(b, u->username, strlen(u->username)) ||
             buf_printf(b, ",\"role\":\"%s\",\"patient\":", u->role ? u->role : "") ||
             (u->patient_id ? buf_json_str(b, u->patient_id, strlen(u->patient_id))
                            : buf_puts(b, "null")) ||
             buf_printf(b, ",\"disabled\":%s,\"created_at\":\"%s\"}\n",
                        u->disabled_flag == 1 ? "true" : "false", ts);
    if (rc == 0)
        fputs(buf_cstr(b), stdout);
    return 0;
}

int cmd_user(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc < 2) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *act = argv[1], *db = NULL, *user = NULL, *role = NULL, *patient = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return cli_usage_error("user", "%s needs a value", a);
        i++;
        if (strcmp(a, "--db") == 0)
            db = v;
        else if (strcmp(a, "--username") == 0)
            user = v;
        else if (strcmp(a, "--role") == 0)
            role = v;
        else if (strcmp(a, "--patient") == 0)
            patient = v;
        else if (strcmp(a, "--password") == 0)
            return cli_usage_error("user", "the password is read from standard input, never "
                                           "from an argument");
        else
            return cli_usage_error("user", "unknown option '%s'", a);
    }
    if (!db)
        return cli_usage_error("user", "--db is required");
    bool add = !strcmp(act, "add"), pw = !strcmp(act, "passwd"), dis = !strcmp(act, "disable"),
         list = !strcmp(act, "list");
    if (!add && !pw && !dis && !list)
        return cli_usage_error("user", "unknown action '%s' (add, list, disable, passwd)", act);
    if (!list && !user)
        return cli_usage_error("user", "--username is required");
    if (add && !role)
        return cli_usage_error("user", "--role is required");
    char password[1100] = "";
    if ((add || pw) && read_password(password, sizeof password) != 0) {
        fprintf(stderr, "tripod user: no password on standard input\n");
        return CLI_INPUT;
    }
    err_t e;
    err_clear(&e);
    store_t *s = NULL;
    if (store_open(db, &s, &e) != 0)
        return cli_report("user", &e);
    int rc = 0;
    if (add)
        rc = auth_user_add(s, user, role, patient, password, &e);
    else if (pw)
        rc = auth_user_passwd(s, user, password, &e);
    else if (dis)
        rc = auth_user_disable(s, user, &e);
    else {
        buf_t b;
        buf_init(&b, 0);
        rc = store_scan_user(s, on_user, &b, &e);
        buf_free(&b);
    }
    explicit_bzero(password, sizeof password);
    store_close(s);
    if (rc)
        return cli_report("user", &e);
    if (!list)
        fprintf(stderr, "tripod user: %s %s\n", user,
                add  ? "added"
                : pw ? "has a new password; sessions ended"
                     : "disabled; sessions ended");
    return CLI_OK;
}
