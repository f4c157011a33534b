/* value.c — sex and flag words (see value.h). */
#include "core/value.h"

#include "core/str.h"

/* The words of each answer. Short lists, read in order: the common spelling
 * first. */
static const struct {
    const char *word;
    value_sex_t sex;
} sex_words[] = {
    { "male", VALUE_SEX_MALE },     { "female", VALUE_SEX_FEMALE },   { "m", VALUE_SEX_MALE },
    { "f", VALUE_SEX_FEMALE },      { "unknown", VALUE_SEX_UNKNOWN }, { "u", VALUE_SEX_UNKNOWN },
    { "other", VALUE_SEX_UNKNOWN }, { "o", VALUE_SEX_UNKNOWN },
};

static const struct {
    const char *word;
    int flag;
} flag_words[] = {
    { "1", 1 },   { "0", 0 },  { "y", 1 },    { "n", 0 },
    { "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
};

int value_sex(const char *s, size_t n, value_sex_t *out)
{
    str_trim(&s, &n);
    for (size_t i = 0; i < sizeof sex_words / sizeof sex_words[0]; i++)
        if (str_ieq(s, n, sex_words[i].word)) {
            *out = sex_words[i].sex;
            return 0;
        }
    return -1;
}

const char *value_sex_name(value_sex_t sex)
{
    switch (sex) {
    case VALUE_SEX_MALE:
        return "male";
    case VALUE_SEX_FEMALE:
        return "female";
    case VALUE_SEX_UNKNOWN:
        break;
    }
    return "unknown";
}

int value_flag(const char *s, size_t n, int *out)
{
    if (n == 1 && (s[0] == '1' || s[0] == '0')) { /* nearly every value of a claims file */
        *out = s[0] == '1';
        return 0;
    }
    str_trim(&s, &n);
    for (size_t i = 0; i < sizeof flag_words / sizeof flag_words[0]; i++)
        if (str_ieq(s, n, flag_words[i].word)) {
            *out = flag_words[i].flag;
            return 0;
        }
    return -1;
}
