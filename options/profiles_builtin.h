/* The shipped profiles, built into clbox (generated from profiles/ by
 * options/embed-profiles), so that a clbox run from its build tree, or
 * installed without its data files, still finds them.  Installed files of
 * the same names take precedence. */
#ifndef CLBOX_PROFILES_BUILTIN_H
#define CLBOX_PROFILES_BUILTIN_H

#include <stddef.h>

struct builtin_profile {
    const char *name;
    const char *text;
};

extern const struct builtin_profile builtin_profiles[];
extern const size_t n_builtin_profiles;

#endif
