/* The user-mode network stacks that can stand behind the sandbox's tap0,
 * as the options name them, the plan chooses one and netns/stack starts
 * it.  Kept at the base so that all three can say the same enum. */
#ifndef CLBOX_NET_BACKEND_H
#define CLBOX_NET_BACKEND_H

enum net_backend {
    NET_BACKEND_SLIRP4NETNS,
    NET_BACKEND_PASTA,
};

/* "slirp4netns" or "pasta" to its value; -1 for anything else. */
int net_backend_parse(const char *name, enum net_backend *backend);
/* "slirp4netns" or "pasta": the program's name, in options and messages. */
const char *net_backend_name(enum net_backend backend);
/* The environment variable that names the program to run instead of the
 * one on PATH: CLBOX_SLIRP4NETNS or CLBOX_PASTA. */
const char *net_backend_override_var(enum net_backend backend);

#endif
