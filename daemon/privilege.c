/*
 * privilege.c - vouchd runs as [daemon] user, not root.  Started by
 * systemd it is that user already (User=, AmbientCapabilities=CAP_KILL);
 * started as root (by hand, in a chroot, by the tests) it binds its
 * socket as root, then becomes that user here, keeping one capability:
 * CAP_KILL, which signing a member out of sessions of other users' PAM
 * hosts (sshd, su: root's) needs.  The capability is ambient, so that
 * the workers it starts for tools (vouch-logout-all signs out too) keep
 * it; the delivery helper is started without it (core/delivery.c).
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vouchd.h"

/* Effective, permitted and inheritable: CAP_KILL alone. */
static int keep_kill(void)
{
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

  memset(d, 0, sizeof(d));
  d[0].effective = d[0].permitted = d[0].inheritable = 1U << CAP_KILL;
  if(syscall(SYS_capset, &h, d))
    return -1;
  return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0);
}

int vd_become_user(const char *user, char *err, size_t errlen)
{
  struct passwd pw, *res = NULL;
  char buf[2048];

  if(!user || !*user)
    return 0;
  if(getpwnam_r(user, &pw, buf, sizeof(buf), &res) || !res) {
    snprintf(err, errlen, "[daemon] user %s: no such user", user);
    return -1;
  }
  if(pw.pw_uid == 0 || geteuid() == pw.pw_uid)
    return 0; /* root by choice, or started as that user (systemd) */
  if(geteuid() != 0) {
    snprintf(err, errlen,
             "[daemon] user is %s (uid %lu), but vouchd runs as uid %lu: "
             "start it as root or as %s",
             user, (unsigned long)pw.pw_uid, (unsigned long)geteuid(), user);
    return -1;
  }
  if(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(1, &pw.pw_gid) ||
     setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid) ||
     setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) ||
     prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) || keep_kill()) {
    snprintf(err, errlen, "cannot become %s: %s", user, strerror(errno));
    return -1;
  }
  /* Whatever changed, root's privileges must be gone for good. */
  if(setuid(0) == 0 || geteuid() == 0) {
    snprintf(err, errlen, "cannot become %s: root stayed", user);
    return -1;
  }
  return 0;
}
