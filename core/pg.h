/*
 * pg.h - the connection of the PostgreSQL store (core/pg.c).  Only what
 * links libpq includes this: vouchd and the tools that open the store,
 * never libvouch.so, the PAM modules or the client library.
 */
#ifndef VOUCH_PG_H
#define VOUCH_PG_H

#include <libpq-fe.h>

#include "vouch.h"

/* Removes every PG* variable from the environment of the process, so
 * that libpq takes nothing from it (call once at start, before threads). */
void vouch_pg_clear_env(void);

/* Connects to the database of [store] conninfo, with every libpq
 * parameter set explicitly: the password from [store] password_file,
 * sslmode=verify-full with [store] ca_file unless every host is a Unix
 * socket, [store] connect_timeout, statement and lock timeouts of
 * [store] statement_timeout, target_session_attrs=read-write unless the
 * conninfo says otherwise.  VOUCH_ERR_CONFIG for a conninfo keyword that
 * is not taken or a password file that is refused, VOUCH_ERR_STORE when
 * the server cannot be reached or refuses (logged with libpq's reason). */
vouch_rc vouch_pg_connect(const vouch_config *c, PGconn **out,
                          vouch_log_fn log, void *arg);

#endif /* VOUCH_PG_H */
