/*
 * pg.h - the connection of the PostgreSQL store (core/pg.c).  Only what
 * links libpq includes this (vouch-store-init), never libvouch.so, the
 * PAM modules or the client library.
 */
#ifndef VOUCH_PG_H
#define VOUCH_PG_H

#include "pq.h"

#include "vouch.h"

/* Connects to the database of [store] conninfo: the password from
 * [store] password_file, sslmode=verify-full with [store] ca_file (TCP),
 * requirepeer [store] server_user (a Unix socket), files under $HOME
 * named as ones that do not exist, [store] connect_timeout, statement
 * and lock timeouts of [store] statement_timeout, search_path vouch,
 * target_session_attrs=read-write unless the conninfo says otherwise.
 * VOUCH_ERR_CONFIG while a PG* variable is in the environment (libpq
 * would read it), for a conninfo keyword that is not taken, an abstract
 * socket, or a password file that is refused; VOUCH_ERR_STORE when the
 * server cannot be reached or refuses (logged with libpq's reason). */
vouch_rc vouch_pg_connect(const vouch_config *c, PGconn **out,
                          vouch_log_fn log, void *arg);

/* "vouchctl init" for the PostgreSQL store (core/pg_schema.c): in one
 * transaction behind an advisory lock (several hosts may run it at
 * once), makes schema "vouch" and its tables, or upgrades them, records
 * the version, and grants [store] grant_to (when set) the rights vouchd
 * needs at run time: rows, no DDL.  It records which key the hosts
 * share (a keyed hash, not the key); a host whose key differs is refused
 * (VOUCH_ERR_KEY).  *from gets the version found (0: none), *to the
 * version now.  A schema newer than this vouch's, or of another
 * application, is refused (VOUCH_ERR_STORE), nothing changed. */
vouch_rc vouch_pg_init(const vouch_config *c, const unsigned char *key,
                       int *from, int *to, vouch_log_fn log, void *arg);

/* The schema version of the PostgreSQL store this vouch reads and
 * writes (vouchd refuses any other: vouchctl init brings it up). */
#define VOUCH_PG_SCHEMA_VERSION 8

/* Which key the hosts of a store share, without showing it: 7 bytes of
 * a keyed hash of a constant (never 0), recorded by vouchctl init. */
long long vouch_pg_key_check(const unsigned char *key);

#endif /* VOUCH_PG_H */
