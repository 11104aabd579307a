#include "init/caps.h"

#include <errno.h>
#include <linux/securebits.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "common/message.h"
#include "common/util.h"

void caps_drop_all(void)
{
    /* The bounding set goes first: dropping from it needs CAP_SETPCAP. */
    /* Up to the kernel's last capability, which may be newer than libcap. */
    cap_value_t last = (cap_value_t)cap_max_bits() - 1;
    for (cap_value_t cap = 0; cap <= last; cap++)
        if (cap_drop_bound(cap) < 0 && errno != EINVAL)
            die_errno(errno, "cannot drop capability %d from the bounding set: %m", (int)cap);
    if (cap_reset_ambient() < 0 && errno != EINVAL)
        die_errno(errno, "cannot clear the ambient capabilities: %m");
    unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                         SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
                         SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED | SECBIT_KEEP_CAPS_LOCKED;
    if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0)
        die_errno(errno, "cannot lock the securebits: %m");
    cap_t none = cap_init();
    if (!none)
        die("out of memory");
    int r = cap_set_proc(none);
    int saved = errno;
    cap_free(none);
    if (r < 0)
        die_errno(saved, "cannot drop capabilities: %m");
}
