#include "common/net_backend.h"

#include <stddef.h>
#include <string.h>

static const struct {
    const char *name;
    const char *override_var;
    enum net_backend backend;
} net_backends[] = {
    {"slirp4netns", "CLBOX_SLIRP4NETNS", NET_BACKEND_SLIRP4NETNS},
    {"pasta", "CLBOX_PASTA", NET_BACKEND_PASTA},
};

int net_backend_parse(const char *name, enum net_backend *backend)
{
    for (size_t i = 0; i < sizeof net_backends / sizeof net_backends[0]; i++)
        if (strcmp(name, net_backends[i].name) == 0) {
            *backend = net_backends[i].backend;
            return 0;
        }
    return -1;
}

const char *net_backend_name(enum net_backend backend)
{
    return backend == NET_BACKEND_PASTA ? net_backends[1].name : net_backends[0].name;
}

const char *net_backend_override_var(enum net_backend backend)
{
    return backend == NET_BACKEND_PASTA ? net_backends[1].override_var : net_backends[0].override_var;
}
