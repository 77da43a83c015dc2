/*
 * pq.h - libpq, loaded when the PostgreSQL store is used (core/pq.c).
 * Nothing links libpq: vouchd, vouch-store-init and the tests that speak
 * to PostgreSQL load it with dlopen on their first connection, so that a
 * host on SQLite never maps it (nor GnuTLS, LDAP and p11-kit behind it),
 * and libpq's libraries never run their constructors at the start of a
 * process (under AddressSanitizer with libfaketime preloaded, p11-kit's
 * deadlocked vouchd).  Include this, not libpq-fe.h: the PQ* names below
 * call through the table that vouch_pq_load filled.
 */
#ifndef VOUCH_PQ_H
#define VOUCH_PQ_H

#include <libpq-fe.h>

#include "vouch.h"

#define VOUCH_PQ_FUNCS(X)                                                     \
  X(PQclear)                                                                  \
  X(PQcmdStatus)                                                              \
  X(PQcmdTuples)                                                              \
  X(PQconnectdbParams)                                                        \
  X(PQconninfoFree)                                                           \
  X(PQconninfoParse)                                                          \
  X(PQconsumeInput)                                                           \
  X(PQerrorMessage)                                                           \
  X(PQescapeIdentifier)                                                       \
  X(PQexec)                                                                   \
  X(PQexecParams)                                                             \
  X(PQexecPrepared)                                                           \
  X(PQfinish)                                                                 \
  X(PQfreemem)                                                                \
  X(PQftype)                                                                  \
  X(PQgetisnull)                                                              \
  X(PQgetlength)                                                              \
  X(PQgetvalue)                                                               \
  X(PQnfields)                                                                \
  X(PQnotifies)                                                               \
  X(PQntuples)                                                                \
  X(PQprepare)                                                                \
  X(PQresultErrorField)                                                       \
  X(PQresultErrorMessage)                                                     \
  X(PQresultStatus)                                                           \
  X(PQsocket)                                                                 \
  X(PQstatus)                                                                 \
  X(PQtransactionStatus)

struct vouch_pq {
#define VOUCH_PQ_MEMBER(f) __typeof__(f) *f;
  VOUCH_PQ_FUNCS(VOUCH_PQ_MEMBER)
#undef VOUCH_PQ_MEMBER
};

extern struct vouch_pq vouch_pq;

/* Loads libpq once (thread-safe); VOUCH_ERR_CONFIG, logged, when it is
 * not installed or lacks a function. */
vouch_rc vouch_pq_load(vouch_log_fn log, void *arg);

#ifndef VOUCH_PQ_IMPL
#define PQclear (vouch_pq.PQclear)
#define PQcmdStatus (vouch_pq.PQcmdStatus)
#define PQcmdTuples (vouch_pq.PQcmdTuples)
#define PQconnectdbParams (vouch_pq.PQconnectdbParams)
#define PQconninfoFree (vouch_pq.PQconninfoFree)
#define PQconninfoParse (vouch_pq.PQconninfoParse)
#define PQconsumeInput (vouch_pq.PQconsumeInput)
#define PQerrorMessage (vouch_pq.PQerrorMessage)
#define PQescapeIdentifier (vouch_pq.PQescapeIdentifier)
#define PQexec (vouch_pq.PQexec)
#define PQexecParams (vouch_pq.PQexecParams)
#define PQexecPrepared (vouch_pq.PQexecPrepared)
#define PQfinish (vouch_pq.PQfinish)
#define PQfreemem (vouch_pq.PQfreemem)
#define PQftype (vouch_pq.PQftype)
#define PQgetisnull (vouch_pq.PQgetisnull)
#define PQgetlength (vouch_pq.PQgetlength)
#define PQgetvalue (vouch_pq.PQgetvalue)
#define PQnfields (vouch_pq.PQnfields)
#define PQnotifies (vouch_pq.PQnotifies)
#define PQntuples (vouch_pq.PQntuples)
#define PQprepare (vouch_pq.PQprepare)
#define PQresultErrorField (vouch_pq.PQresultErrorField)
#define PQresultErrorMessage (vouch_pq.PQresultErrorMessage)
#define PQresultStatus (vouch_pq.PQresultStatus)
#define PQsocket (vouch_pq.PQsocket)
#define PQstatus (vouch_pq.PQstatus)
#define PQtransactionStatus (vouch_pq.PQtransactionStatus)
#endif

#endif /* VOUCH_PQ_H */
