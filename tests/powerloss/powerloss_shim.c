/* LD_PRELOAD shim for the power-loss test: logs every operation that changes files under
 * $RUNGS_POWERLOSS_DIR, with what it takes to undo it, so that rewind.py can put the folder
 * back in a state a power cut could leave (what was not fsynced is lost).
 *
 * Environment:
 *   RUNGS_POWERLOSS_DIR     the folder watched (absolute, no symlinks); unset: the shim is inert
 *   RUNGS_POWERLOSS_LOG     the folder for the logs (pl.PID.log) and the backups of files that
 *                           a rename replaces or an unlink removes (hard links, same file system)
 *   RUNGS_POWERLOSS_NOSYNC  a comma list of sync calls made no-ops (logged as "nosync"), to
 *                           check that the test notices: fsync, fdatasync, fsync-dir,
 *                           fsync-file, syncfs
 *
 * Log: one line per entry, fields separated by tabs, written with one write(2) to an O_APPEND
 * descriptor, so a SIGKILL loses no entry that was logged. Every line starts with
 *   T_NS PID SEQ OP
 * (CLOCK_MONOTONIC nanoseconds, shared by every process, so the logs of several processes
 * merge into one order). Mutations are logged *before* they happen (a "fail SEQ" line follows
 * if they then fail); syncs are logged after they succeed, with the time they started, so a
 * sync never claims more than it covered. Files are named by DEV:INO, directories by their
 * path and the DEV:INO of the parent:
 *   hello  RANK ARGV0
 *   open   PATH PARENT EXISTED FLAGS              (O_CREAT: a name may be created)
 *   write  INO OFFSET LENGTH OLD_SIZE OLD_HEX     (bytes overwritten, up to the old size)
 *   trunc  INO NEW_SIZE OLD_SIZE CUT_HEX          (ftruncate, or O_TRUNC of an existing file)
 *   rename SRC DST PARENT BACKUP                  (BACKUP: a link to what DST was, or -)
 *   unlink PATH PARENT BACKUP
 *   link   SRC DST PARENT
 *   mkdir  PATH PARENT
 *   sync   KIND INO                               (fsync, fdatasync, syncfs: INO of the fd)
 *   nosync KIND INO                               (a sync_file_range, or a mutated sync)
 *   fail   SEQ
 * Paths hold no tab or newline (the test's own folder). Not covered: mmap writes, dup'ed
 * descriptors, stdio (fopen/fwrite call the kernel inside glibc, past the shim); rungs writes
 * its study, journal and checkpoints with open/pwrite/write (strace shows no other call).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 65536

struct tracked {
  int watched; /* 1: a file or folder under the watched folder (or the folder itself) */
  int is_dir;
  dev_t dev;
  ino_t ino;
};

static struct tracked fds[MAX_FDS];
static char watched_dir[PATH_MAX];
static size_t watched_len;
static char log_dir[PATH_MAX];
static int log_fd = -1;
static int active = -1; /* -1: not configured yet */
static unsigned long seq;
static unsigned long backups;
static int nosync_fsync, nosync_fdatasync, nosync_fsync_dir, nosync_fsync_file, nosync_syncfs;
static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static __thread int inside; /* recursion guard: the shim's own calls go straight through */

#define REAL(ret, name, ...)                                         \
  static ret (*real_##name)(__VA_ARGS__);                            \
  static void resolve_##name(void) {                                 \
    if (!real_##name) *(void**)&real_##name = dlsym(RTLD_NEXT, #name); \
  }
REAL(int, open, const char*, int, ...)
REAL(int, open64, const char*, int, ...)
REAL(int, openat, int, const char*, int, ...)
REAL(int, openat64, int, const char*, int, ...)
REAL(ssize_t, write, int, const void*, size_t)
REAL(ssize_t, pwrite, int, const void*, size_t, off_t)
REAL(ssize_t, pwrite64, int, const void*, size_t, off64_t)
REAL(ssize_t, writev, int, const struct iovec*, int)
REAL(ssize_t, pwritev, int, const struct iovec*, int, off_t)
REAL(int, ftruncate, int, off_t)
REAL(int, ftruncate64, int, off64_t)
REAL(int, fsync, int)
REAL(int, fdatasync, int)
REAL(int, sync_file_range, int, off64_t, off64_t, unsigned int)
REAL(int, syncfs, int)
REAL(int, rename, const char*, const char*)
REAL(int, renameat, int, const char*, int, const char*)
REAL(int, renameat2, int, const char*, int, const char*, unsigned int)
REAL(int, unlink, const char*)
REAL(int, unlinkat, int, const char*, int)
REAL(int, remove, const char*)
REAL(int, link, const char*, const char*)
REAL(int, linkat, int, const char*, int, const char*, int)
REAL(int, mkdirat, int, const char*, mode_t)
REAL(int, close, int)

static void set_nosync(const char* list) {
  char copy[256];
  snprintf(copy, sizeof copy, "%s", list);
  char* save = NULL;
  for (char* w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
    if (!strcmp(w, "fsync")) nosync_fsync = 1;
    else if (!strcmp(w, "fdatasync")) nosync_fdatasync = 1;
    else if (!strcmp(w, "fsync-dir")) nosync_fsync_dir = 1;
    else if (!strcmp(w, "fsync-file")) nosync_fsync_file = 1;
    else if (!strcmp(w, "syncfs")) nosync_syncfs = 1;
    else fprintf(stderr, "powerloss shim: unknown RUNGS_POWERLOSS_NOSYNC entry '%s'\n", w);
  }
}

/* 1 when this process logs; reads the environment once. */
static int configured(void) {
  if (active >= 0) return active;
  pthread_mutex_lock(&lock);
  if (active < 0) {
    const char* dir = getenv("RUNGS_POWERLOSS_DIR");
    const char* logs = getenv("RUNGS_POWERLOSS_LOG");
    const char* nosync = getenv("RUNGS_POWERLOSS_NOSYNC");
    if (nosync) set_nosync(nosync);
    if (dir && *dir == '/' && logs && *logs == '/') {
      snprintf(watched_dir, sizeof watched_dir, "%s", dir);
      watched_len = strlen(watched_dir);
      while (watched_len > 1 && watched_dir[watched_len - 1] == '/') watched_dir[--watched_len] = 0;
      snprintf(log_dir, sizeof log_dir, "%s", logs);
      active = 1;
    } else {
      active = 0;
    }
  }
  pthread_mutex_unlock(&lock);
  return active;
}

/* 1: under the watched folder; 2: the folder itself. */
static int watched_path(const char* abs) {
  if (strncmp(abs, watched_dir, watched_len) != 0) return 0;
  if (abs[watched_len] == 0) return 2;
  return abs[watched_len] == '/' ? 1 : 0;
}

/* The absolute form of `path` as seen from `dirfd`, lexically (no symlink resolution). */
static int absolute(int dirfd, const char* path, char* out, size_t size) {
  if (!path) return -1;
  if (path[0] == '/') {
    snprintf(out, size, "%s", path);
    return 0;
  }
  char base[PATH_MAX];
  if (dirfd == AT_FDCWD) {
    if (!getcwd(base, sizeof base)) return -1;
  } else {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", dirfd);
    const ssize_t n = readlink(proc, base, sizeof base - 1);
    if (n <= 0) return -1;
    base[n] = 0;
  }
  const char* rest = path;
  while (rest[0] == '.' && rest[1] == '/') rest += 2;
  if (!strcmp(rest, ".")) rest = "";
  const int n = snprintf(out, size, "%s%s%s", base, *rest ? "/" : "", rest);
  return n >= 0 && (size_t)n < size ? 0 : -1;  /* too long to be ours: not watched */
}

static void parent_id(const char* abs, char* out, size_t size) {
  char parent[PATH_MAX];
  snprintf(parent, sizeof parent, "%s", abs);
  char* slash = strrchr(parent, '/');
  if (!slash) {
    snprintf(out, size, "-");
    return;
  }
  if (slash == parent) slash[1] = 0;
  else *slash = 0;
  struct stat st;
  if (stat(parent, &st) != 0) snprintf(out, size, "-");
  else snprintf(out, size, "%lu:%lu", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
}

static void put_all(const char* data, size_t size) {
  while (size > 0) {
    resolve_write();
    const ssize_t n = real_write(log_fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= (size_t)n;
  }
}

/* Appends one entry: "T_NS PID SEQ OP" and `fields` (already tab-separated), then `hex` bytes
 * of `raw` as hex, if any. Returns the entry's SEQ. Call with the lock held. */
static unsigned long emit(long long t_ns, const char* op, const char* fields, const unsigned char* raw,
                          size_t raw_size) {
  const int saved = errno;
  if (log_fd < 0) {
    char name[PATH_MAX + 64];
    snprintf(name, sizeof name, "%s/pl.%d.log", log_dir, (int)getpid());
    resolve_open();
    log_fd = real_open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      fprintf(stderr, "powerloss shim: cannot open %s: %s\n", name, strerror(errno));
      errno = saved;
      return 0;
    }
    const char* rank = getenv("OMPI_COMM_WORLD_RANK");
    char exe[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    char hello[PATH_MAX + 128];
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const int len = snprintf(hello, sizeof hello, "%lld\t%d\t%lu\thello\t%s\t%s\n",
                             (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, (int)getpid(), ++seq,
                             rank ? rank : "-", exe);
    put_all(hello, (size_t)len);
  }
  const unsigned long id = ++seq;
  const size_t head = 64 + strlen(op) + strlen(fields);
  char* line = malloc(head + 2 * raw_size + 4);
  if (!line) {
    errno = saved;
    return id;
  }
  int len = snprintf(line, head, "%lld\t%d\t%lu\t%s\t%s", t_ns, (int)getpid(), id, op, fields);
  if (raw) {
    static const char digits[] = "0123456789abcdef";
    line[len++] = '\t';
    for (size_t i = 0; i < raw_size; ++i) {
      line[len++] = digits[raw[i] >> 4];
      line[len++] = digits[raw[i] & 15];
    }
    if (raw_size == 0) line[len++] = '-';
  }
  line[len++] = '\n';
  put_all(line, (size_t)len);
  free(line);
  errno = saved;
  return id;
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void fail_entry(unsigned long id) {
  char f[32];
  snprintf(f, sizeof f, "%lu", id);
  emit(now_ns(), "fail", f, NULL, 0);
}

/* Whether `fd` is a watched file: it was opened through the shim, and it still is the file
 * it was (a descriptor closed past the shim and reused by a socket or pipe is not). */
static int tracked_fd(int fd) {
  if (active != 1 || inside || fd < 0 || fd >= MAX_FDS || !fds[fd].watched) return 0;
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_dev != fds[fd].dev || st.st_ino != fds[fd].ino) {
    fds[fd].watched = 0;
    return 0;
  }
  return 1;
}

static void track(int fd, const char* abs) {
  if (fd < 0 || fd >= MAX_FDS) return;
  struct stat st;
  if (fstat(fd, &st) != 0) return;
  fds[fd].dev = st.st_dev;
  fds[fd].ino = st.st_ino;
  fds[fd].is_dir = S_ISDIR(st.st_mode);
  fds[fd].watched = watched_path(abs) != 0;
}

/* Reads `size` bytes at `offset` of the file open as `fd`, even when it is open write-only. */
static size_t read_old(int fd, unsigned char* buf, size_t size, off_t offset) {
  size_t got = 0;
  int reader = fd;
  int own = 0;
  for (;;) {
    const ssize_t n = pread(reader, buf + got, size - got, offset + (off_t)got);
    if (n < 0 && errno == EBADF && !own) {
      char proc[64];
      snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
      resolve_open();
      reader = real_open(proc, O_RDONLY | O_CLOEXEC);
      if (reader < 0) break;
      own = 1;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
    if (got == size) break;
  }
  if (own) {
    resolve_close();
    real_close(reader);
  }
  return got;
}

/* Logs a write of `length` bytes at `offset` (-1: at the file offset, or the end with
 * O_APPEND) before it happens. Returns the entry's SEQ. */
static unsigned long log_write(int fd, size_t length, off_t offset) {
  struct stat st;
  if (fstat(fd, &st) != 0) return 0;
  if (offset < 0) {
    const int flags = fcntl(fd, F_GETFL);
    offset = (flags >= 0 && (flags & O_APPEND)) ? st.st_size : lseek(fd, 0, SEEK_CUR);
  }
  const off_t old_size = st.st_size;
  size_t overwritten = 0;
  if (offset < old_size) {
    overwritten = (size_t)(old_size - offset) < length ? (size_t)(old_size - offset) : length;
  }
  unsigned char* old = overwritten ? malloc(overwritten) : NULL;
  if (overwritten && !old) overwritten = 0;
  if (overwritten) overwritten = read_old(fd, old, overwritten, offset);
  char f[160];
  snprintf(f, sizeof f, "%lu:%lu\t%lld\t%zu\t%lld", (unsigned long)fds[fd].dev,
           (unsigned long)fds[fd].ino, (long long)offset, length, (long long)old_size);
  const unsigned long id = emit(now_ns(), "write", f, old ? old : (const unsigned char*)"", overwritten);
  free(old);
  return id;
}

static unsigned long log_truncate(int fd, off_t new_size) {
  struct stat st;
  if (fstat(fd, &st) != 0) return 0;
  size_t cut = st.st_size > new_size ? (size_t)(st.st_size - new_size) : 0;
  unsigned char* bytes = cut ? malloc(cut) : NULL;
  if (cut && !bytes) cut = 0;
  if (cut) cut = read_old(fd, bytes, cut, new_size);
  char f[160];
  snprintf(f, sizeof f, "%lu:%lu\t%lld\t%lld", (unsigned long)st.st_dev, (unsigned long)st.st_ino,
           (long long)new_size, (long long)st.st_size);
  const unsigned long id = emit(now_ns(), "trunc", f, bytes ? bytes : (const unsigned char*)"", cut);
  free(bytes);
  return id;
}

/* Keeps the file `abs` names alive under the log folder before a rename or unlink takes the
 * name away; writes the backup's path (or "-") into `out`. */
static void backup(const char* abs, char* out, size_t size) {
  struct stat st;
  snprintf(out, size, "-");
  if (lstat(abs, &st) != 0 || !S_ISREG(st.st_mode)) return;
  char path[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/backup.%d.%lu", log_dir, (int)getpid(), ++backups);
  resolve_link();
  if (real_link(abs, path) == 0) snprintf(out, size, "%s", path);
}

/* ---- opening ---- */

static int opened(int dirfd, const char* path, int flags, mode_t mode,
                  int (*call)(int, const char*, int, mode_t)) {
  char abs[PATH_MAX];
  if (!configured() || inside || absolute(dirfd, path, abs, sizeof abs) != 0 || !watched_path(abs)) {
    const int fd = call(dirfd, path, flags, mode);
    if (fd >= 0 && fd < MAX_FDS) fds[fd].watched = 0;
    return fd;
  }
  pthread_mutex_lock(&lock);
  inside = 1;
  unsigned long id = 0, trunc_id = 0;
  struct stat st;
  const int existed = stat(abs, &st) == 0;
  if (watched_path(abs) == 1 && (flags & (O_CREAT | O_TRUNC))) {
    char parent[64], f[PATH_MAX + 128];
    parent_id(abs, parent, sizeof parent);
    snprintf(f, sizeof f, "%s\t%s\t%d\t%d", abs, parent, existed, flags);
    id = emit(now_ns(), "open", f, NULL, 0);
    if (existed && (flags & O_TRUNC) && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (flags & O_ACCMODE) != O_RDONLY) {
      /* Log the cut bytes from a descriptor of our own before the open truncates. */
      resolve_open();
      const int reader = real_open(abs, O_RDONLY | O_CLOEXEC);
      if (reader >= 0) {
        trunc_id = log_truncate(reader, 0);
        resolve_close();
        real_close(reader);
      }
    }
  }
  const int fd = call(dirfd, path, flags, mode);
  const int error = errno;
  if (fd < 0) {
    if (id) fail_entry(id);
    if (trunc_id) fail_entry(trunc_id);
  } else {
    track(fd, abs);
  }
  inside = 0;
  pthread_mutex_unlock(&lock);
  errno = error;
  return fd;
}

static int call_open(int dirfd, const char* path, int flags, mode_t mode) {
  (void)dirfd;
  resolve_open();
  return real_open(path, flags, mode);
}
static int call_open64(int dirfd, const char* path, int flags, mode_t mode) {
  (void)dirfd;
  resolve_open64();
  return real_open64 ? real_open64(path, flags, mode) : call_open(dirfd, path, flags, mode);
}
static int call_openat(int dirfd, const char* path, int flags, mode_t mode) {
  resolve_openat();
  return real_openat(dirfd, path, flags, mode);
}
static int call_openat64(int dirfd, const char* path, int flags, mode_t mode) {
  resolve_openat64();
  return real_openat64 ? real_openat64(dirfd, path, flags, mode) : call_openat(dirfd, path, flags, mode);
}

static mode_t mode_arg(int flags, va_list ap) {
  return (flags & (O_CREAT | __O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return opened(AT_FDCWD, path, flags, mode, call_open);
}
int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return opened(AT_FDCWD, path, flags, mode, call_open64);
}
int openat(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return opened(dirfd, path, flags, mode, call_openat);
}
int openat64(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return opened(dirfd, path, flags, mode, call_openat64);
}
/* _FORTIFY_SOURCE callers of open without a mode. */
int __open_2(const char* path, int flags) { return opened(AT_FDCWD, path, flags, 0, call_open); }
int __open64_2(const char* path, int flags) { return opened(AT_FDCWD, path, flags, 0, call_open64); }
int __openat_2(int dirfd, const char* path, int flags) { return opened(dirfd, path, flags, 0, call_openat); }
int __openat64_2(int dirfd, const char* path, int flags) {
  return opened(dirfd, path, flags, 0, call_openat64);
}
int creat(const char* path, mode_t mode) {
  return opened(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, call_open);
}
int creat64(const char* path, mode_t mode) {
  return opened(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, call_open64);
}

int close(int fd) {
  resolve_close();
  if (fd >= 0 && fd < MAX_FDS) fds[fd].watched = 0;
  return real_close(fd);
}

/* ---- writing ---- */

#define LOGGED(fd, log_call, real_call)       \
  do {                                        \
    pthread_mutex_lock(&lock);                \
    inside = 1;                               \
    const unsigned long id_ = (log_call);     \
    __typeof__(real_call) result_ = real_call; \
    const int error_ = errno;                 \
    if (result_ < 0 && id_) fail_entry(id_);  \
    inside = 0;                               \
    pthread_mutex_unlock(&lock);              \
    errno = error_;                           \
    return result_;                           \
  } while (0)

ssize_t write(int fd, const void* buf, size_t n) {
  resolve_write();
  if (!tracked_fd(fd)) return real_write(fd, buf, n);
  LOGGED(fd, log_write(fd, n, -1), real_write(fd, buf, n));
}
ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset) {
  resolve_pwrite();
  if (!tracked_fd(fd)) return real_pwrite(fd, buf, n, offset);
  LOGGED(fd, log_write(fd, n, offset), real_pwrite(fd, buf, n, offset));
}
ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t offset) {
  resolve_pwrite64();
  if (!tracked_fd(fd)) return real_pwrite64(fd, buf, n, offset);
  LOGGED(fd, log_write(fd, n, offset), real_pwrite64(fd, buf, n, offset));
}
static size_t iov_length(const struct iovec* iov, int count) {
  size_t total = 0;
  for (int i = 0; i < count; ++i) total += iov[i].iov_len;
  return total;
}
ssize_t writev(int fd, const struct iovec* iov, int count) {
  resolve_writev();
  if (!tracked_fd(fd)) return real_writev(fd, iov, count);
  LOGGED(fd, log_write(fd, iov_length(iov, count), -1), real_writev(fd, iov, count));
}
ssize_t pwritev(int fd, const struct iovec* iov, int count, off_t offset) {
  resolve_pwritev();
  if (!tracked_fd(fd)) return real_pwritev(fd, iov, count, offset);
  LOGGED(fd, log_write(fd, iov_length(iov, count), offset), real_pwritev(fd, iov, count, offset));
}
int ftruncate(int fd, off_t size) {
  resolve_ftruncate();
  if (!tracked_fd(fd)) return real_ftruncate(fd, size);
  LOGGED(fd, log_truncate(fd, size), real_ftruncate(fd, size));
}
int ftruncate64(int fd, off64_t size) {
  resolve_ftruncate64();
  if (!tracked_fd(fd)) return real_ftruncate64(fd, size);
  LOGGED(fd, log_truncate(fd, size), real_ftruncate64(fd, size));
}

/* ---- syncing ---- */

static int synced(int fd, const char* kind, int skip, int (*call)(int)) {
  if (!tracked_fd(fd)) return call(fd);
  pthread_mutex_lock(&lock);
  inside = 1;
  const long long started = now_ns();
  const int result = skip ? 0 : call(fd);
  const int error = errno;
  if (result == 0) {
    char f[128];
    snprintf(f, sizeof f, "%s\t%lu:%lu", kind, (unsigned long)fds[fd].dev, (unsigned long)fds[fd].ino);
    emit(started, skip ? "nosync" : "sync", f, NULL, 0);
  }
  inside = 0;
  pthread_mutex_unlock(&lock);
  errno = error;
  return result;
}

static int skip_fsync(int fd) {
  return nosync_fsync || (fds[fd].is_dir ? nosync_fsync_dir : nosync_fsync_file);
}

int fsync(int fd) {
  resolve_fsync();
  return synced(fd, "fsync", fd >= 0 && fd < MAX_FDS && skip_fsync(fd), real_fsync);
}
int fdatasync(int fd) {
  resolve_fdatasync();
  return synced(fd, "fdatasync", nosync_fdatasync || (fd >= 0 && fd < MAX_FDS && fds[fd].is_dir && nosync_fsync_dir),
                real_fdatasync);
}
int syncfs(int fd) {
  resolve_syncfs();
  return synced(fd, "syncfs", nosync_syncfs, real_syncfs);
}
int sync_file_range(int fd, off64_t offset, off64_t n, unsigned int flags) {
  resolve_sync_file_range();
  const int result = real_sync_file_range(fd, offset, n, flags);
  if (result == 0 && tracked_fd(fd)) {
    /* Starts writeback but promises nothing about a power cut: not a sync in the model. */
    pthread_mutex_lock(&lock);
    inside = 1;
    char f[128];
    snprintf(f, sizeof f, "sync_file_range\t%lu:%lu", (unsigned long)fds[fd].dev, (unsigned long)fds[fd].ino);
    emit(now_ns(), "nosync", f, NULL, 0);
    inside = 0;
    pthread_mutex_unlock(&lock);
  }
  return result;
}

/* ---- names ---- */

static int renamed(int olddir, const char* from, int newdir, const char* to, unsigned int flags,
                   int (*call)(int, const char*, int, const char*, unsigned int)) {
  char a[PATH_MAX], b[PATH_MAX];
  if (!configured() || inside || absolute(olddir, from, a, sizeof a) != 0 ||
      absolute(newdir, to, b, sizeof b) != 0 || (watched_path(a) != 1 && watched_path(b) != 1)) {
    return call(olddir, from, newdir, to, flags);
  }
  pthread_mutex_lock(&lock);
  inside = 1;
  char saved[PATH_MAX + 64], parent[64], f[3 * PATH_MAX + 160];
  backup(b, saved, sizeof saved);
  parent_id(b, parent, sizeof parent);
  snprintf(f, sizeof f, "%s\t%s\t%s\t%s", a, b, parent, saved);
  const unsigned long id = emit(now_ns(), "rename", f, NULL, 0);
  const int result = call(olddir, from, newdir, to, flags);
  const int error = errno;
  if (result != 0) fail_entry(id);
  inside = 0;
  pthread_mutex_unlock(&lock);
  errno = error;
  return result;
}

static int call_renameat2(int olddir, const char* from, int newdir, const char* to, unsigned int flags) {
  resolve_renameat2();
  return real_renameat2(olddir, from, newdir, to, flags);
}
static int call_renameat(int olddir, const char* from, int newdir, const char* to, unsigned int flags) {
  (void)flags;
  resolve_renameat();
  return real_renameat(olddir, from, newdir, to);
}
static int call_rename(int olddir, const char* from, int newdir, const char* to, unsigned int flags) {
  (void)olddir, (void)newdir, (void)flags;
  resolve_rename();
  return real_rename(from, to);
}
int rename(const char* from, const char* to) { return renamed(AT_FDCWD, from, AT_FDCWD, to, 0, call_rename); }
int renameat(int olddir, const char* from, int newdir, const char* to) {
  return renamed(olddir, from, newdir, to, 0, call_renameat);
}
int renameat2(int olddir, const char* from, int newdir, const char* to, unsigned int flags) {
  return renamed(olddir, from, newdir, to, flags, call_renameat2);
}

static int unlinked(int dirfd, const char* path, int flags, int (*call)(int, const char*, int)) {
  char abs[PATH_MAX];
  if (!configured() || inside || absolute(dirfd, path, abs, sizeof abs) != 0 || watched_path(abs) != 1) {
    return call(dirfd, path, flags);
  }
  pthread_mutex_lock(&lock);
  inside = 1;
  char saved[PATH_MAX + 64], parent[64], f[2 * PATH_MAX + 128];
  backup(abs, saved, sizeof saved);
  parent_id(abs, parent, sizeof parent);
  snprintf(f, sizeof f, "%s\t%s\t%s", abs, parent, saved);
  const unsigned long id = emit(now_ns(), "unlink", f, NULL, 0);
  const int result = call(dirfd, path, flags);
  const int error = errno;
  if (result != 0) fail_entry(id);
  inside = 0;
  pthread_mutex_unlock(&lock);
  errno = error;
  return result;
}

static int call_unlink(int dirfd, const char* path, int flags) {
  (void)dirfd, (void)flags;
  resolve_unlink();
  return real_unlink(path);
}
static int call_unlinkat(int dirfd, const char* path, int flags) {
  resolve_unlinkat();
  return real_unlinkat(dirfd, path, flags);
}
static int call_remove(int dirfd, const char* path, int flags) {
  (void)dirfd, (void)flags;
  resolve_remove();
  return real_remove(path);
}
int unlink(const char* path) { return unlinked(AT_FDCWD, path, 0, call_unlink); }
int unlinkat(int dirfd, const char* path, int flags) { return unlinked(dirfd, path, flags, call_unlinkat); }
/* glibc's remove() reaches the kernel without going through unlink(): it needs its own. */
int remove(const char* path) { return unlinked(AT_FDCWD, path, 0, call_remove); }

static int linked(int olddir, const char* from, int newdir, const char* to, int flags) {
  char a[PATH_MAX], b[PATH_MAX];
  resolve_linkat();
  if (!configured() || inside || absolute(olddir, from, a, sizeof a) != 0 ||
      absolute(newdir, to, b, sizeof b) != 0 || watched_path(b) != 1) {
    return real_linkat(olddir, from, newdir, to, flags);
  }
  pthread_mutex_lock(&lock);
  inside = 1;
  char parent[64], f[2 * PATH_MAX + 128];
  parent_id(b, parent, sizeof parent);
  snprintf(f, sizeof f, "%s\t%s\t%s", a, b, parent);
  const unsigned long id = emit(now_ns(), "link", f, NULL, 0);
  const int result = real_linkat(olddir, from, newdir, to, flags);
  const int error = errno;
  if (result != 0) fail_entry(id);
  inside = 0;
  pthread_mutex_unlock(&lock);
  errno = error;
  return result;
}
int link(const char* from, const char* to) { return linked(AT_FDCWD, from, AT_FDCWD, to, 0); }
int linkat(int olddir, const char* from, int newdir, const char* to, int flags) {
  return linked(olddir, from, newdir, to, flags);
}

static int made_dir(int dirfd, const char* path, mode_t mode) {
  char abs[PATH_MAX];
  resolve_mkdirat();
  if (!configured() || inside || absolute(dirfd, path, abs, sizeof abs) != 0 || watched_path(abs) != 1) {
    return real_mkdirat(dirfd, path, mode);
  }
  pthread_mutex_lock(&lock);
  inside = 1;
  char parent[64], f[PATH_MAX + 128];
  parent_id(abs, parent, sizeof parent);
  snprintf(f, sizeof f, "%s\t%s", abs, parent);
  const unsigned long id = emit(now_ns(), "mkdir", f, NULL, 0);
  const int result = real_mkdirat(dirfd, path, mode);
  const int error = errno;
  if (result != 0) fail_entry(id);
  inside = 0;
  pthread_mutex_unlock(&lock);
  errno = error;
  return result;
}
int mkdir(const char* path, mode_t mode) { return made_dir(AT_FDCWD, path, mode); }
int mkdirat(int dirfd, const char* path, mode_t mode) { return made_dir(dirfd, path, mode); }
