#include "netns/kernel/nftset.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "netns/kernel/nft.h"

static const char *set_name(const struct nftset_entry *e)
{
    if (e->family == AF_INET)
        return e->port ? NFT_SET_ALLOW4_PORT : NFT_SET_ALLOW4;
    return e->port ? NFT_SET_ALLOW6_PORT : NFT_SET_ALLOW6;
}

/* A concatenated key pads each field to 4 bytes; the port is big-endian. */
static size_t build_key(const struct nftset_entry *e, uint8_t key[20])
{
    size_t alen = e->family == AF_INET ? 4 : 16;
    memcpy(key, e->addr, alen);
    if (!e->port)
        return alen;
    memset(key + alen, 0, 4);
    key[alen] = (uint8_t)(e->port >> 8);
    key[alen + 1] = (uint8_t)(e->port & 0xff);
    return alen + 4;
}

/* Appends one NEWSETELEM (or DELSETELEM) message for a single element. */
static int put_element(struct mnl_nlmsg_batch *batch, uint16_t type, uint16_t flags, const struct nftset_entry *e,
                       uint32_t seq)
{
    struct nftnl_set *set = nftnl_set_alloc();
    struct nftnl_set_elem *elem = nftnl_set_elem_alloc();
    if (!set || !elem) {
        nftnl_set_free(set);
        nftnl_set_elem_free(elem);
        return -ENOMEM;
    }
    nftnl_set_set_str(set, NFTNL_SET_TABLE, NFT_TABLE);
    nftnl_set_set_str(set, NFTNL_SET_NAME, set_name(e));
    uint8_t key[20];
    nftnl_set_elem_set(elem, NFTNL_SET_ELEM_KEY, key, (uint32_t)build_key(e, key));
    if (type == NFT_MSG_NEWSETELEM)
        nftnl_set_elem_set_u64(elem, NFTNL_SET_ELEM_TIMEOUT, (uint64_t)e->timeout_s * 1000);
    nftnl_set_elem_add(set, elem);
    struct nlmsghdr *nlh =
        nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(batch), type, NFPROTO_INET, flags | NLM_F_ACK, seq);
    nftnl_set_elems_nlmsg_build_payload(nlh, set);
    nftnl_set_free(set);
    mnl_nlmsg_batch_next(batch);
    return 0;
}

/* Reads acks until every message of the batch [first, last] is answered. */
static int read_acks(int fd, uint32_t first, uint32_t last)
{
    char buf[8192];
    int result = 0;
    uint32_t answered = 0, expected = last - first + 1;
    while (answered < expected) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, (int)n);
             nlh = mnl_nlmsg_next(nlh, (int *)&n)) {
            if (nlh->nlmsg_seq < first || nlh->nlmsg_seq > last || nlh->nlmsg_type != NLMSG_ERROR)
                continue;
            const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
            if (e->error != 0 && result == 0)
                result = e->error;
            answered++;
        }
    }
    return result;
}

/* Elements per batch: each message is about a hundred bytes, so a batch
 * stays well inside the buffer however long the DNS answer was. */
enum { BATCH_ELEMENTS = 32 };

static int add_batch(int netlink_fd, const struct nftset_entry *entries, size_t n, uint32_t *seq)
{
    char buf[MNL_SOCKET_BUFFER_SIZE * 2];
    struct mnl_nlmsg_batch *batch = mnl_nlmsg_batch_start(buf, sizeof buf);
    if (!batch)
        return -ENOMEM;
    nftnl_batch_begin(mnl_nlmsg_batch_current(batch), (*seq)++);
    mnl_nlmsg_batch_next(batch);
    uint32_t first = *seq;
    int rc = 0;
    /* Without NLM_F_EXCL, adding an element that is already there succeeds
     * (and, on kernels that support it, renews its timeout). */
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = put_element(batch, NFT_MSG_NEWSETELEM, NLM_F_CREATE, &entries[i], (*seq)++);
        if (rc == 0 && mnl_nlmsg_batch_size(batch) + 512 > sizeof buf)
            rc = -ENOBUFS; /* cannot happen with BATCH_ELEMENTS; never write past buf */
    }
    uint32_t last = *seq - 1;
    nftnl_batch_end(mnl_nlmsg_batch_current(batch), (*seq)++);
    mnl_nlmsg_batch_next(batch);
    if (rc == 0 && send(netlink_fd, mnl_nlmsg_batch_head(batch), mnl_nlmsg_batch_size(batch), 0) < 0)
        rc = -errno;
    mnl_nlmsg_batch_stop(batch);
    if (rc == 0 && n > 0)
        rc = read_acks(netlink_fd, first, last);
    return rc;
}

int nftset_add(int netlink_fd, const struct nftset_entry *entries, size_t n)
{
    static uint32_t seq;
    if (seq == 0)
        seq = (uint32_t)time(NULL);
    for (size_t done = 0; done < n; done += BATCH_ELEMENTS) {
        size_t count = n - done < BATCH_ELEMENTS ? n - done : BATCH_ELEMENTS;
        int rc = add_batch(netlink_fd, entries + done, count, &seq);
        if (rc < 0)
            return rc;
    }
    return 0;
}
