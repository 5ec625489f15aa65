/*
 * Shared memory: named regions and sealed memfd regions, seen across
 * fork (the child opens the region afresh through the library: by name,
 * by /proc/<pid>/fd/<fd>, by the inherited descriptor) and across exec
 * (an unrelated program, dd, writes into the region by its name or its
 * inherited descriptor). Misuse: bad names, NULL arguments, closed and
 * foreign handles.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static void unique_name(char *out, size_t cap, const char *tag)
{
    static int n;
    snprintf(out, cap, "mapview-ctest-%s-%ld-%d", tag, (long)getpid(), n++);
}

static bool shm_bytes(mapview_shm shm, uint8_t **data, size_t *len)
{
    mapview_error *err = NULL;
    return CHECK_OK(mapview_shm_data(shm, data, len, &err), err);
}

/* Runs `body` in a forked child; returns its exit status (or -1). */
static int in_child(int (*body)(void *), void *arg)
{
    /* The child reports its result through a pipe, not its exit status:
     * under valgrind a child's exit status also counts errors the parent
     * had before fork (--error-exitcode), which are not this test's. */
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        unsigned char rc = (unsigned char)body(arg);
        if (write(fds[1], &rc, 1) != 1)
            _exit(126);
        _exit(0);
    }
    close(fds[1]);
    unsigned char rc = 255;
    ssize_t got = pid < 0 ? -1 : read(fds[0], &rc, 1);
    close(fds[0]);
    int status = 0;
    if (pid > 0)
        waitpid(pid, &status, 0);
    return got == 1 ? rc : -1;
}

/* Runs a shell command in a child (fork + exec), keeping descriptors open. */
static int run_shell(const char *cmd)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* Child: open the named region afresh, check the parent's bytes, answer. */
static int child_opens_by_name(void *arg)
{
    const char *name = arg;
    mapview_shm shm;
    uint8_t *data = NULL;
    size_t len = 0;
    if (mapview_shm_open(name, MAPVIEW_NUL_TERMINATED, &shm, NULL) != MAPVIEW_OK)
        return 1;
    if (mapview_shm_data(shm, &data, &len, NULL) != MAPVIEW_OK || len != 8192)
        return 2;
    if (memcmp(data, "from parent", 11) != 0)
        return 3;
    memcpy(data + 4096, "from child", 10);
    return mapview_shm_close(shm) == MAPVIEW_OK ? 0 : 4;
}

void test_shm_named_create_open_unlink(void)
{
    char name[128];
    unique_name(name, sizeof name, "named");
    mapview_error *err = NULL;
    mapview_shm shm = {0}, again = {0};
    if (!CHECK_OK(mapview_shm_create(name, MAPVIEW_NUL_TERMINATED, 8192, &shm, &err), err))
        return;
    mapview_shm_info info;
    if (CHECK_OK(mapview_shm_info_get(shm, &info, &err), err)) {
        CHECK_EQ(info.kind, MAPVIEW_SHM_NAMED);
        /* No seal protects a named region (some kernels report that its
         * seals are frozen: MAPVIEW_SHM_SEAL_SEAL alone). */
        CHECK_EQU(info.seals & ~MAPVIEW_SHM_SEAL_SEAL, 0);
        CHECK_EQU(info.len, 8192);
        CHECK_EQ(info.pid, getpid());
        CHECK(info.fd >= 0);
    }
    const char *got = NULL;
    size_t got_len = 0;
    if (CHECK_OK(mapview_shm_name(shm, &got, &got_len, &err), err)) {
        CHECK_STR(got, name);
        CHECK_EQU(got_len, strlen(name));
    }
    uint8_t *data = NULL;
    size_t len = 0;
    if (shm_bytes(shm, &data, &len)) {
        CHECK_EQU(len, 8192);
        CHECK(data[0] == 0 && data[8191] == 0);
        memcpy(data, "from parent", 11);
        /* A child process opens it by name and answers. */
        CHECK_EQ(in_child(child_opens_by_name, name), 0);
        CHECK_MEM(data + 4096, "from child", 10);
        /* An unrelated program finds it by name too. */
        char cmd[512];
        snprintf(cmd, sizeof cmd,
                 "printf 'from exec' | dd of=/dev/shm/%s bs=1 seek=200 conv=notrunc status=none",
                 name);
        CHECK_EQ(run_shell(cmd), 0);
        CHECK_MEM(data + 200, "from exec", 9);
    }
    /* The name with an explicit length (not NUL-terminated). */
    char padded[160];
    snprintf(padded, sizeof padded, "%sXYZ", name);
    if (CHECK_OK(mapview_shm_open(padded, strlen(name), &again, &err), err)) {
        uint8_t *d2 = NULL;
        size_t l2 = 0;
        if (shm_bytes(again, &d2, &l2))
            CHECK_MEM(d2 + 4096, "from child", 10);
        CHECK_STATUS(mapview_shm_close(again), MAPVIEW_OK);
    }
    CHECK_ERR(mapview_shm_create(name, MAPVIEW_NUL_TERMINATED, 8192, &again, &err), err,
              MAPVIEW_ERR_ALREADY_EXISTS, name);
    CHECK_EQU(again.id, 0);
    CHECK_OK(mapview_shm_unlink(name, MAPVIEW_NUL_TERMINATED, &err), err);
    CHECK_ERR(mapview_shm_open(name, MAPVIEW_NUL_TERMINATED, &again, &err), err,
              MAPVIEW_ERR_NOT_FOUND, name);
    CHECK_ERR(mapview_shm_unlink(name, MAPVIEW_NUL_TERMINATED, &err), err,
              MAPVIEW_ERR_NOT_FOUND, name);
    /* Unlinked, the region still works for the open handle. */
    if (shm_bytes(shm, &data, &len))
        CHECK_MEM(data, "from parent", 11);
    CHECK_STATUS(mapview_shm_close(shm), MAPVIEW_OK);
}

struct proc_arg {
    pid_t pid;
    int fd;
};

/* Child: open the memfd through /proc/<parent>/fd/<fd> and through the
 * inherited descriptor; write through each. */
static int child_opens_memfd(void *p)
{
    const struct proc_arg *a = p;
    mapview_shm by_proc, by_fd;
    uint8_t *d1 = NULL, *d2 = NULL;
    size_t l1 = 0, l2 = 0;
    if (mapview_shm_open_proc(a->pid, a->fd, &by_proc, NULL) != MAPVIEW_OK)
        return 1;
    if (mapview_shm_open_fd(a->fd, &by_fd, NULL) != MAPVIEW_OK)
        return 2;
    if (mapview_shm_data(by_proc, &d1, &l1, NULL) != MAPVIEW_OK ||
        mapview_shm_data(by_fd, &d2, &l2, NULL) != MAPVIEW_OK || l1 != 4096 || l2 != 4096)
        return 3;
    if (memcmp(d1, "sealed", 6) != 0)
        return 4;
    memcpy(d1 + 100, "via proc", 8);
    memcpy(d2 + 200, "via fd", 6);
    mapview_shm_info info;
    if (mapview_shm_info_get(by_proc, &info, NULL) != MAPVIEW_OK || info.kind != MAPVIEW_SHM_MEMFD ||
        !(info.seals & MAPVIEW_SHM_SEAL_SHRINK))
        return 5;
    mapview_shm_close(by_proc);
    mapview_shm_close(by_fd);
    return 0;
}

void test_shm_memfd_sealed_across_fork_and_exec(void)
{
    mapview_error *err = NULL;
    mapview_shm shm = {0};
    if (!CHECK_OK(mapview_shm_create_memfd(4096, &shm, &err), err))
        return;
    mapview_shm_info info;
    if (!CHECK_OK(mapview_shm_info_get(shm, &info, &err), err))
        return;
    CHECK_EQ(info.kind, MAPVIEW_SHM_MEMFD);
    CHECK_EQU(info.seals, MAPVIEW_SHM_SEAL_SHRINK | MAPVIEW_SHM_SEAL_GROW | MAPVIEW_SHM_SEAL_SEAL);
    const char *name = "x";
    CHECK_OK(mapview_shm_name(shm, &name, NULL, &err), err);
    CHECK(name == NULL);
    uint8_t *data = NULL;
    size_t len = 0;
    if (shm_bytes(shm, &data, &len) && len == 4096) {
        memcpy(data, "sealed", 6);
        struct proc_arg a = {getpid(), info.fd};
        CHECK_EQ(in_child(child_opens_memfd, &a), 0);
        CHECK_MEM(data + 100, "via proc", 8);
        CHECK_MEM(data + 200, "via fd", 6);
        /* exec: a duplicate without close-on-exec is inherited by dd. */
        int fd = fcntl(info.fd, F_DUPFD, 10); /* no FD_CLOEXEC */
        CHECK(fd >= 0);
        char cmd[256];
        snprintf(cmd, sizeof cmd,
                 "printf 'via exec' | dd of=/dev/fd/%d bs=1 seek=300 conv=notrunc status=none", fd);
        CHECK_EQ(run_shell(cmd), 0);
        CHECK_MEM(data + 300, "via exec", 8);
        /* Sealed: nobody can truncate it under a reader. */
        errno = 0;
        CHECK(ftruncate(fd, 10) != 0 && errno == EPERM);
        CHECK(ftruncate(fd, 1 << 20) != 0 && errno == EPERM);
        close(fd);
    }
    CHECK_STATUS(mapview_shm_close(shm), MAPVIEW_OK);
}

void test_shm_bad_names_and_arguments(void)
{
    mapview_error *err = NULL;
    mapview_shm shm = {7};
    char long_name[300];
    memset(long_name, 'n', 256);
    long_name[256] = '\0';
    CHECK_ERR(mapview_shm_create(NULL, 0, 4096, &shm, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "name");
    CHECK_EQU(shm.id, 0);
    CHECK_ERR(mapview_shm_create("", MAPVIEW_NUL_TERMINATED, 4096, &shm, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "empty");
    CHECK_ERR(mapview_shm_create("a/b", MAPVIEW_NUL_TERMINATED, 4096, &shm, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "'/'");
    CHECK_ERR(mapview_shm_open("/x", MAPVIEW_NUL_TERMINATED, &shm, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "'/'");
    CHECK_ERR(mapview_shm_create("..", MAPVIEW_NUL_TERMINATED, 4096, &shm, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "'..'");
    CHECK_ERR(mapview_shm_create(long_name, MAPVIEW_NUL_TERMINATED, 4096, &shm, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "255");
    CHECK_ERR(mapview_shm_create("a\0b", 3, 4096, &shm, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "NUL");
    CHECK_ERR(mapview_shm_create("\xff\xfe", 2, 4096, &shm, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "UTF-8");
    CHECK_ERR(mapview_shm_unlink("a/b", MAPVIEW_NUL_TERMINATED, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "'/'");
    char name[128];
    unique_name(name, sizeof name, "zero");
    CHECK_ERR(mapview_shm_create(name, MAPVIEW_NUL_TERMINATED, 0, &shm, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "size zero");
    CHECK_ERR(mapview_shm_create_memfd(0, &shm, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "size zero");
    CHECK_ERR(mapview_shm_create_memfd(4096, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_shm");
    CHECK_ERR(mapview_shm_create(name, MAPVIEW_NUL_TERMINATED, 4096, NULL, &err), err,
              MAPVIEW_ERR_NULL_ARGUMENT, "out_shm");
    CHECK_ERR(mapview_shm_open_fd(-1, &shm, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "negative");
    CHECK_ERR(mapview_shm_open_fd(987, &shm, &err), err, MAPVIEW_ERR_IO, "fd 987");
    CHECK_ERR(mapview_shm_open_proc(0, 3, &shm, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "pid");
    CHECK_ERR(mapview_shm_open_proc(getpid(), 987, &shm, &err), err, MAPVIEW_ERR_NOT_FOUND, "/proc/");
    /* A directory descriptor is not a region. */
    int dirfd = open(th_scratch(), O_RDONLY);
    CHECK_ERR(mapview_shm_open_fd(dirfd, &shm, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "not a regular file");
    close(dirfd);
    CHECK_EQU(shm.id, 0);
}

void test_shm_handle_misuse(void)
{
    mapview_error *err = NULL;
    mapview_shm shm = {0};
    if (!CHECK_OK(mapview_shm_create_memfd(4096, &shm, &err), err))
        return;
    uint8_t *data = NULL;
    size_t len = 0;
    mapview_shm_info info;
    const char *name = NULL;
    CHECK_ERR(mapview_shm_data(shm, NULL, &len, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_data");
    CHECK_ERR(mapview_shm_data(shm, &data, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_len");
    CHECK_ERR(mapview_shm_info_get(shm, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_info");
    CHECK_ERR(mapview_shm_name(shm, NULL, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_name");
    CHECK_STATUS(mapview_shm_close(shm), MAPVIEW_OK);
    CHECK_STATUS(mapview_shm_close(shm), MAPVIEW_ERR_CLOSED);
    CHECK_ERR(mapview_shm_data(shm, &data, &len, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_shm_info_get(shm, &info, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_shm_name(shm, &name, NULL, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    mapview_shm zero = {0};
    CHECK_ERR(mapview_shm_data(zero, &data, &len, &err), err, MAPVIEW_ERR_INVALID_HANDLE, "0");
    /* A map handle is not a shared-memory handle, nor the reverse. */
    mapview_map map = {0};
    if (CHECK_OK(mapview_map_anonymous(4096, false, NULL, &map, &err), err)) {
        mapview_shm forged = {map.id};
        CHECK_ERR(mapview_shm_data(forged, &data, &len, &err), err, MAPVIEW_ERR_INVALID_HANDLE,
                  "not a shared memory handle");
        CHECK_STATUS(mapview_shm_close(forged), MAPVIEW_ERR_INVALID_HANDLE);
        CLOSE(map);
    }
    mapview_shm never = {shm.id + 1000};
    CHECK_ERR(mapview_shm_data(never, &data, &len, &err), err, MAPVIEW_ERR_INVALID_HANDLE, "never issued");
}
