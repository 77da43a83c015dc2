/*
 * pg_probe.c - connects to PostgreSQL as the PostgreSQL store does
 * (core/pg.c, vouch_pg_connect) with the [store] keys of CONF, for
 * tests/store/pg_conn.sh; CONF's backend stays sqlite (the store itself
 * is not served from PostgreSQL yet).
 *
 *   pg_probe [--keep-env] CONF
 *
 * Removes every PG* variable first (as vouchd will), unless --keep-env:
 * then the explicit parameters alone must keep the environment out.
 * Prints one line "user=U ssl=t|f port=P statement_timeout=T app=A";
 * exits 0, 4 when the connection failed (the reason on stderr), 3 when
 * a query failed, 2 on wrong usage.
 */
#include <stdio.h>
#include <string.h>

#include "pg.h"

static void to_stderr(void *arg, int prio, const char *msg)
{
  (void)arg;
  (void)prio;
  fprintf(stderr, "pg_probe: %s\n", msg);
}

int main(int argc, char **argv)
{
  static const char sql[] =
      "SELECT current_user, coalesce((SELECT ssl FROM pg_stat_ssl "
      "WHERE pid = pg_backend_pid()), false), inet_server_port(), "
      "current_setting('statement_timeout'), "
      "current_setting('application_name')";
  vouch_config *c = NULL;
  bool keep = argc == 3 && !strcmp(argv[1], "--keep-env");
  PGresult *res;
  PGconn *conn;
  int rc = 0;

  if(argc != 2 && !keep) {
    fprintf(stderr, "usage: pg_probe [--keep-env] CONF\n");
    return 2;
  }
  if(!keep)
    vouch_pg_clear_env();
  if(vouch_config_load(argv[argc - 1], &c, to_stderr, NULL))
    return 4;
  if(vouch_pg_connect(c, &conn, to_stderr, NULL)) {
    vouch_config_free(c);
    return 4;
  }
  res = PQexec(conn, sql);
  if(PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
    fprintf(stderr, "pg_probe: %s", PQerrorMessage(conn));
    rc = 3;
  }
  else
    printf("user=%s ssl=%s port=%s statement_timeout=%s app=%s\n",
           PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
           PQgetisnull(res, 0, 2) ? "socket" : PQgetvalue(res, 0, 2),
           PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4));
  PQclear(res);
  PQfinish(conn);
  vouch_config_free(c);
  return rc;
}
