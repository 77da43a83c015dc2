/*
 * fault.c - failure injection for the fault tests (tests/fault/run.sh),
 * in the spirit of pam-u2f's tests: an LD_PRELOAD object that makes
 * malloc, calloc, realloc, open, openat, read, write (and pread64,
 * pwrite64, fdatasync, SQLite's own file calls) and the SQLite entry
 * points the store uses (sqlite3_open_v2, sqlite3_prepare_v3,
 * sqlite3_step) fail now and then, so that every error path of the
 * modules and tools runs.
 *
 *   FAULT_N=N        fail one call in N (0 or unset: never)
 *   FAULT_SEED=S     seed of the choice (a run is reproducible by seed)
 *   FAULT_AFTER=A    never fail the first A calls (startup succeeds)
 *   FAULT_WHAT=LIST  which kinds may fail: any of alloc, file, sqlite
 *                    (comma-separated; default all)
 *   FAULT_LOG=FILE   appends one line a failed call ("alloc 1234")
 *   FAULT_COUNT=FILE writes the number of calls seen at exit
 *
 * Nothing fails while the dynamic loader runs (inside dlopen) or before
 * the object's constructor has read its settings.  The real functions are
 * found with dlsym(RTLD_NEXT); allocations made while dlsym itself needs
 * memory come from a small static arena.  Under AddressSanitizer this object
 * goes first in LD_PRELOAD (ASAN_OPTIONS=verify_asan_link_order=0), so
 * that the allocations it lets through are ASan's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sqlite3.h>

#define KIND_ALLOC 1u
#define KIND_FILE 2u
#define KIND_SQLITE 4u

typedef void *(*malloc_fn)(size_t);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void (*free_fn)(void *);
typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pread_fn)(int, void *, size_t, off_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef int (*fdatasync_fn)(int);
typedef void *(*dlopen_fn)(const char *, int);
typedef int (*sq_open_fn)(const char *, sqlite3 **, int, const char *);
typedef int (*sq_prepare_fn)(sqlite3 *, const char *, int, unsigned int,
                             sqlite3_stmt **, const char **);
typedef int (*sq_step_fn)(sqlite3_stmt *);

static malloc_fn real_malloc;
static calloc_fn real_calloc;
static realloc_fn real_realloc;
static free_fn real_free;

/* Settings; state 0: not read yet, 1: reading, 2: ready. */
static void read_settings(void);
static int state;
static unsigned long long every;
static unsigned long long after;
static unsigned long long calls;
static unsigned long long rng = 88172645463325252ULL;
static unsigned kinds = KIND_ALLOC | KIND_FILE | KIND_SQLITE;
static char log_path[512];
static char count_path[512];
static __thread int in_loader;
static __thread int in_dlsym;

/* The arena for dlsym's own needs before the real allocator is known. */
static unsigned char arena[16384] __attribute__((aligned(16)));
static size_t arena_used;

static int in_arena(const void *p)
{
  return (const unsigned char *)p >= arena &&
         (const unsigned char *)p < arena + sizeof(arena);
}

static void *arena_alloc(size_t n)
{
  void *p;

  n = (n + 15) & ~(size_t)15;
  if(n > sizeof(arena) - arena_used)
    return NULL;
  p = arena + arena_used;
  arena_used += n;
  return p;
}

static void *next_sym(const char *name)
{
  void *p;

  in_dlsym++;
  p = dlsym(RTLD_NEXT, name);
  in_dlsym--;
  return p;
}

static void resolve_alloc(void)
{
  if(real_malloc)
    return;
  real_calloc = (calloc_fn)next_sym("calloc");
  real_realloc = (realloc_fn)next_sym("realloc");
  real_free = (free_fn)next_sym("free");
  real_malloc = (malloc_fn)next_sym("malloc");
}

/* Writes text to path without the interposed functions. */
static void raw_append(const char *path, const char *text, int trunc)
{
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (trunc ? O_TRUNC : O_APPEND);
  long fd;

  if(!path[0])
    return;
  fd = syscall(SYS_openat, AT_FDCWD, path, flags, 0600);
  if(fd < 0)
    return;
  (void)syscall(SYS_write, (int)fd, text, strlen(text));
  (void)syscall(SYS_close, (int)fd);
}

static void copy_env(char *dst, size_t len, const char *name)
{
  const char *v = getenv(name);

  dst[0] = '\0';
  if(v && strlen(v) < len)
    memcpy(dst, v, strlen(v) + 1);
}

static unsigned long long env_num(const char *name)
{
  const char *v = getenv(name);

  return v ? strtoull(v, NULL, 10) : 0;
}

/* Read once the C library is set up (getenv needs environ): before
 * that, nothing fails. */
__attribute__((constructor(101))) static void read_settings(void)
{
  const char *what;

  state = 1;
  every = env_num("FAULT_N");
  after = env_num("FAULT_AFTER");
  rng ^= env_num("FAULT_SEED") * 0x9E3779B97F4A7C15ULL;
  if(!rng)
    rng = 1;
  what = getenv("FAULT_WHAT");
  if(what && *what) {
    kinds = 0;
    if(strstr(what, "alloc"))
      kinds |= KIND_ALLOC;
    if(strstr(what, "file"))
      kinds |= KIND_FILE;
    if(strstr(what, "sqlite"))
      kinds |= KIND_SQLITE;
  }
  copy_env(log_path, sizeof(log_path), "FAULT_LOG");
  copy_env(count_path, sizeof(count_path), "FAULT_COUNT");
  state = 2;
}

__attribute__((destructor)) static void report_count(void)
{
  char buf[32];

  snprintf(buf, sizeof(buf), "%llu\n", calls);
  raw_append(count_path, buf, 1);
}

/* Whether this call of kind fails (and then logs it). */
static int should_fail(unsigned kind, const char *name)
{
  char buf[64];

  if(state != 2 || in_loader || in_dlsym)
    return 0;
  calls++;
  if(!every || calls <= after || !(kinds & kind))
    return 0;
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  if(rng % every)
    return 0;
  snprintf(buf, sizeof(buf), "%s %llu\n", name, calls);
  raw_append(log_path, buf, 0);
  return 1;
}

/* ------------------------------------------------------------ memory */

void *malloc(size_t n)
{
  if(!real_malloc) {
    if(in_dlsym)
      return arena_alloc(n);
    resolve_alloc();
  }
  if(should_fail(KIND_ALLOC, "malloc")) {
    errno = ENOMEM;
    return NULL;
  }
  return real_malloc(n);
}

void *calloc(size_t n, size_t size)
{
  void *p;

  if(!real_calloc) {
    if(in_dlsym) {
      if(size && n > SIZE_MAX / size)
        return NULL;
      p = arena_alloc(n * size);
      if(p)
        memset(p, 0, n * size);
      return p;
    }
    resolve_alloc();
  }
  if(should_fail(KIND_ALLOC, "calloc")) {
    errno = ENOMEM;
    return NULL;
  }
  return real_calloc(n, size);
}

void *realloc(void *old, size_t n)
{
  void *p;

  if(in_arena(old)) {
    p = malloc(n);
    if(p)
      memcpy(p, old, n < 256 ? n : 256);
    return p;
  }
  if(!real_realloc) {
    if(in_dlsym)
      return arena_alloc(n);
    resolve_alloc();
  }
  if(n && should_fail(KIND_ALLOC, "realloc")) {
    errno = ENOMEM;
    return NULL;
  }
  return real_realloc(old, n);
}

void free(void *p)
{
  if(!p || in_arena(p))
    return;
  if(!real_free)
    resolve_alloc();
  real_free(p);
}

/* ------------------------------------------------------------- files */

static int open_mode(int flags, va_list ap)
{
  if(flags & (O_CREAT | O_TMPFILE))
    return va_arg(ap, int);
  return 0;
}

int open(const char *path, int flags, ...)
{
  static open_fn real;
  va_list ap;
  int mode;

  va_start(ap, flags);
  mode = open_mode(flags, ap);
  va_end(ap);
  if(!real)
    real = (open_fn)next_sym("open");
  if(should_fail(KIND_FILE, "open")) {
    errno = (calls & 1) ? EACCES : EMFILE;
    return -1;
  }
  return real(path, flags, mode);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dir, const char *path, int flags, ...)
{
  static openat_fn real;
  va_list ap;
  int mode;

  va_start(ap, flags);
  mode = open_mode(flags, ap);
  va_end(ap);
  if(!real)
    real = (openat_fn)next_sym("openat");
  if(should_fail(KIND_FILE, "openat")) {
    errno = (calls & 1) ? EACCES : ENFILE;
    return -1;
  }
  return real(dir, path, flags, mode);
}

int openat64(int dir, const char *path, int flags, ...)
    __attribute__((alias("openat")));

ssize_t read(int fd, void *buf, size_t n)
{
  static read_fn real;

  if(!real)
    real = (read_fn)next_sym("read");
  if(should_fail(KIND_FILE, "read")) {
    errno = (calls & 1) ? EIO : EINTR;
    return -1;
  }
  return real(fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
  static write_fn real;

  if(!real)
    real = (write_fn)next_sym("write");
  if(should_fail(KIND_FILE, "write")) {
    /* Half of the faults are short writes, half a full disk. */
    if((calls & 1) && n > 1)
      return real(fd, buf, n / 2);
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, n);
}

/* SQLite reads and writes its pages with these. */
ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
  static pread_fn real;

  if(!real)
    real = (pread_fn)next_sym("pread64");
  if(should_fail(KIND_FILE, "read")) {
    errno = EIO;
    return -1;
  }
  return real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
  static pwrite_fn real;

  if(!real)
    real = (pwrite_fn)next_sym("pwrite64");
  if(should_fail(KIND_FILE, "write")) {
    if((calls & 1) && n > 1)
      return real(fd, buf, n / 2, off);
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, n, off);
}

int fdatasync(int fd)
{
  static fdatasync_fn real;

  if(!real)
    real = (fdatasync_fn)next_sym("fdatasync");
  if(should_fail(KIND_FILE, "fdatasync")) {
    errno = EIO;
    return -1;
  }
  return real(fd);
}

/* ------------------------------------------------------------ loader */

void *dlopen(const char *file, int mode)
{
  static dlopen_fn real;
  void *h;

  if(!real)
    real = (dlopen_fn)next_sym("dlopen");
  in_loader++;
  h = real(file, mode);
  in_loader--;
  return h;
}

/* ------------------------------------------------------------ SQLite */

/* A PAM module brings libsqlite3 in with dlopen, outside the global
 * scope RTLD_NEXT searches: then the symbol comes from the library
 * itself, already loaded. */
static void *sqlite_sym(const char *name)
{
  void *p = next_sym(name);
  void *h;

  if(p)
    return p;
  in_loader++;
  h = dlopen("libsqlite3.so.0", RTLD_LAZY | RTLD_NOLOAD);
  in_loader--;
  if(!h)
    abort();
  in_dlsym++;
  p = dlsym(h, name);
  in_dlsym--;
  if(!p)
    abort();
  return p;
}

/* SQLite calls its own public functions (sqlite3_exec steps the schema
 * query); failing those would make SQLite lie to itself (a schema read
 * half), which no application call can cause.  Only calls from outside
 * the library fail. */
static int from_sqlite(const void *caller, const void *fn)
{
  Dl_info a, b;

  if(!dladdr(caller, &a) || !dladdr(fn, &b))
    return 0;
  return a.dli_fbase == b.dli_fbase;
}

int sqlite3_open_v2(const char *name, sqlite3 **db, int flags, const char *vfs)
{
  static sq_open_fn real;

  if(!real)
    real = (sq_open_fn)sqlite_sym("sqlite3_open_v2");
  if(should_fail(KIND_SQLITE, "sqlite3_open_v2")) {
    *db = NULL;
    return SQLITE_NOMEM;
  }
  return real(name, db, flags, vfs);
}

int sqlite3_prepare_v3(sqlite3 *db, const char *sql, int n, unsigned int flags,
                       sqlite3_stmt **stmt, const char **tail)
{
  static sq_prepare_fn real;

  if(!real)
    real = (sq_prepare_fn)sqlite_sym("sqlite3_prepare_v3");
  if(!from_sqlite(__builtin_return_address(0), (void *)real) &&
     should_fail(KIND_SQLITE, "sqlite3_prepare_v3")) {
    *stmt = NULL;
    if(tail)
      *tail = NULL;
    return (calls & 1) ? SQLITE_NOMEM : SQLITE_IOERR;
  }
  return real(db, sql, n, flags, stmt, tail);
}

int sqlite3_step(sqlite3_stmt *stmt)
{
  static sq_step_fn real;

  if(!real)
    real = (sq_step_fn)sqlite_sym("sqlite3_step");
  if(!from_sqlite(__builtin_return_address(0), (void *)real) &&
     should_fail(KIND_SQLITE, "sqlite3_step"))
    return (calls & 1) ? SQLITE_IOERR : SQLITE_BUSY;
  return real(stmt);
}
