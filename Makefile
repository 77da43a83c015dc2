# vouch - build, test, demo and install.
#
#   make                  build everything into $(BUILD)/
#   make check            install missing build/test packages (Debian, as
#                         root), build with -Werror and run every test (on
#                         SQLite, then again on PostgreSQL), then build
#                         with AddressSanitizer + UBSan and run again
#   make demo             a self-contained demo of the main flow
#   make install          DESTDIR, PREFIX, PAMDIR as in SPEC section 1;
#                         PRIVLIBDIR (default $(PREFIX)/lib/vouch) for the
#                         shared core; make uninstall takes it all out
#   make deb              the Debian packages (dpkg-buildpackage -us -uc -b)
#                         into $(DEBDIR)/
#   make lint             clang-format check and banned functions
#
# The Makefile honours CC, CFLAGS, CPPFLAGS, LDFLAGS and is safe with -j.

PREFIX        ?= /usr/local
PAMDIR        ?= $(PREFIX)/lib/security
BINDIR        ?= $(PREFIX)/bin
SBINDIR       ?= $(PREFIX)/sbin
LIBEXECDIR    ?= $(PREFIX)/libexec/vouch
PRIVLIBDIR    ?= $(PREFIX)/lib/vouch
DATADIR       ?= $(PREFIX)/share/vouch
MANDIR        ?= $(PREFIX)/share/man
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var

CC       ?= cc
CFLAGS   ?= -O2 -g
BUILD    ?= build
SAN      ?=
WERROR   ?=

WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla
ifneq ($(WERROR),)
WARN     += -Werror
endif
ifneq ($(SAN),)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
endif

# The release, from the first line of debian/changelog ("vouch (X) ...").
VERSION  := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)

# libpq's header (Debian's libpq-dev) is under its own folder.
PQ_INCLUDE ?= /usr/include/postgresql
VCPPFLAGS := -Icore -idirafter $(PQ_INCLUDE) -D_GNU_SOURCE -DVOUCH_VERSION='"$(VERSION)"' \
  -DVOUCH_CONF_PATH='"$(SYSCONFDIR)/vouch/vouch.conf"' \
  -DVOUCH_KEY_PATH='"$(SYSCONFDIR)/vouch/secret.key"' \
  -DVOUCH_LIBEXECDIR='"$(LIBEXECDIR)"' \
  -DVOUCH_DATADIR='"$(DATADIR)"' \
  -DVOUCH_STATEDIR='"$(LOCALSTATEDIR)/lib/vouch"'
VCFLAGS   := -std=c11 -fPIC -fvisibility=hidden -fstack-protector-strong \
             $(WARN) $(SANFLAGS)
ALL_CFLAGS  = $(VCPPFLAGS) $(CPPFLAGS) $(VCFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS        = -lsodium -lsqlite3 -lpam -lpthread -ldl

CORE_SRC    := $(sort $(wildcard core/*.c))
CORE_OBJ    := $(CORE_SRC:%.c=$(BUILD)/%.o)
LIBVOUCH    := $(BUILD)/libvouch.a
# The shared core, installed into the private directory PRIVLIBDIR: every
# core object but the transports (libcurl), which only the delivery
# helper links, so that no PAM host ever loads libcurl.
# Not in the shared core: the transports (libcurl, vouch-deliver only)
# and the PostgreSQL connection (libpq, vouchd and the store's tools).
LIBSO_OBJ   := $(filter-out $(BUILD)/core/transport.o $(BUILD)/core/pg.o \
  $(BUILD)/core/pg_schema.o $(BUILD)/core/pq.o $(BUILD)/core/store_pg.o,\
  $(CORE_OBJ))
LIBSO       := $(BUILD)/lib/libvouch.so.0
# The client side (client/): the protocol to vouchd and the relay of its
# conversation, linked statically into every module (and the daemon, for
# the same frames).  It needs no SQLite, libsodium, libcurl or libpq.
CLIENT_SRC  := $(filter-out client/tool_main.c,$(sort $(wildcard client/*.c)))
CLIENT_OBJ  := $(CLIENT_SRC:%.c=$(BUILD)/%.o)
LIBCLIENT   := $(BUILD)/libvouch-client.a
MODULE_SRC  := $(sort $(wildcard modules/pam_vouch_*.c))
MODULES     := $(MODULE_SRC:modules/%.c=$(BUILD)/%.so)
# vouchd: the daemon's objects, the static core and the client's frames.
DAEMON_SRC  := $(sort $(wildcard daemon/*.c))
DAEMON_OBJ  := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
VOUCHD      := $(BUILD)/vouchd
# vouch-web: the member pages, a client of vouchd (libmicrohttpd; libsodium
# for its own CSRF secret; never the core, the store or the key).
WEB_SRC     := $(sort $(wildcard web/*.c))
WEB_OBJ     := $(WEB_SRC:%.c=$(BUILD)/%.o)
WEB_LIB_OBJ := $(filter-out $(BUILD)/web/vouch-web.o,$(WEB_OBJ))
VOUCH_WEB   := $(BUILD)/vouch-web
# What links the shared core is linked twice from the same objects: in
# $(BUILD) with a DT_RUNPATH to $(BUILD)/lib, which the tests run, and in
# $(INST) with a DT_RUNPATH to PRIVLIBDIR, which "make install" installs
# (an absolute path: setuid hosts such as su ignore $$ORIGIN and
# LD_LIBRARY_PATH).
INST        := $(BUILD)/inst
BUILD_RUNPATH := $(abspath $(BUILD))/lib
TOOL_SRC    := $(sort $(wildcard tools/*.c))
TOOLS       := $(TOOL_SRC:tools/%.c=$(BUILD)/%)
# The tools are vouchd's clients: these are nothing else (client/
# tool_main.c built once a tool), vouchctl runs "init" itself and hands
# every other command over.  The commands themselves run in vouchd's
# worker, which links each tool's source with its main renamed.
THIN_TOOLS  := $(addprefix $(BUILD)/,vouch-reset vouch-logout-all \
                 vouch-cancel vouch-export vouch-account)
WORKER_SRC  := $(filter-out tools/vouch-deliver.c tools/vouch-store-init.c,\
  $(TOOL_SRC))
WORKER_OBJ  := $(WORKER_SRC:tools/%.c=$(BUILD)/worker/%.o)
# Where each tool goes: the delivery helper and the PostgreSQL store's
# init (vouch-store-init, the one program that links libpq) into
# LIBEXECDIR, the member's
# own tool into BINDIR (not setuid: vouchd knows its caller), the rest
# into SBINDIR.
MEMBER_TOOLS := $(filter $(BUILD)/vouch-account,$(TOOLS))
HELPER_TOOLS := $(filter $(BUILD)/vouch-deliver $(BUILD)/vouch-store-init,\
  $(TOOLS))
ADMIN_TOOLS  := $(filter-out $(MEMBER_TOOLS) $(HELPER_TOOLS),$(TOOLS))
UNIT_SRC    := $(sort $(wildcard tests/unit/test_*.c))
UNITS       := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTBIN_SRC := $(sort $(wildcard tests/bin/*.c))
TESTBINS    := $(TESTBIN_SRC:tests/bin/%.c=$(BUILD)/tests/%)

.PHONY: FORCE all tests check check-build check-san test test-pg deps demo install \
        uninstall lint clean bench deb fuzz fuzz-build

all: $(LIBVOUCH) $(LIBSO) $(MODULES) $(TOOLS) $(VOUCHD) $(VOUCH_WEB) \
  $(INST)/vouch-deliver

# The paths compiled in (VCPPFLAGS) and linked in (DT_RUNPATH): rewritten
# only when they change, so that "make PREFIX=/usr install" after a plain
# "make" rebuilds what depends on them instead of installing stale paths.
# One NAME=VALUE a line (tests/pam/library.sh reads PRIVLIBDIR).
VOUCH_PATHS := SYSCONFDIR=$(SYSCONFDIR) LIBEXECDIR=$(LIBEXECDIR) \
               DATADIR=$(DATADIR) LOCALSTATEDIR=$(LOCALSTATEDIR) \
               PRIVLIBDIR=$(PRIVLIBDIR) VERSION=$(VERSION)
$(BUILD)/paths: FORCE | $(BUILD)/core
	@printf '%s\n' $(VOUCH_PATHS) | cmp -s - $@ || \
	  printf '%s\n' $(VOUCH_PATHS) >$@
FORCE:

tests: all $(UNITS) $(TESTBINS) $(BUILD)/tests/vouch-load

$(BUILD)/core/%.o: core/%.c core/*.h $(BUILD)/paths | $(BUILD)/core
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/modules/%.o: modules/%.c client/*.h $(BUILD)/paths \
  | $(BUILD)/modules
	$(CC) $(ALL_CFLAGS) -Iclient -c -o $@ $<

$(BUILD)/client/%.o: client/%.c client/*.h $(BUILD)/paths | $(BUILD)/client
	$(CC) $(ALL_CFLAGS) -Iclient -c -o $@ $<

$(BUILD)/daemon/%.o: daemon/%.c daemon/*.h core/*.h client/*.h \
  $(BUILD)/paths | $(BUILD)/daemon
	$(CC) $(ALL_CFLAGS) -Iclient -fPIE -c -o $@ $<

$(BUILD)/web/%.o: web/%.c web/*.h client/*.h $(BUILD)/paths | $(BUILD)/web
	$(CC) $(ALL_CFLAGS) -Iclient -fPIE -c -o $@ $<

$(VOUCH_WEB): $(WEB_OBJ) $(LIBCLIENT)
	$(CC) -pie $(ALL_LDFLAGS) -o $@ $(WEB_OBJ) $(LIBCLIENT) -lmicrohttpd \
	  -lsodium -lpthread

$(LIBCLIENT): $(CLIENT_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

# A tool's source in the worker: main renamed after the tool
# (vouch-logout-all: vouch_tool_logout_all_main), VOUCH_WORKER set.
$(BUILD)/worker/%.o: tools/%.c core/*.h client/*.h daemon/*.h \
  tools/usage/*.h $(BUILD)/paths | $(BUILD)/worker
	$(CC) $(ALL_CFLAGS) -Iclient -Idaemon -fPIE -DVOUCH_WORKER \
	  -include daemon/worker.h \
	  -Dmain=vouch_tool_$(subst -,_,$(patsubst vouch-%,%,$*))_main \
	  -c -o $@ $<

$(VOUCHD): $(DAEMON_OBJ) $(WORKER_OBJ) $(LIBVOUCH) $(LIBCLIENT)
	$(CC) -pie $(ALL_LDFLAGS) -o $@ $(DAEMON_OBJ) $(WORKER_OBJ) \
	  $(LIBVOUCH) $(LIBCLIENT) -lsodium -lsqlite3 -lqrencode -lpthread

$(THIN_TOOLS): $(BUILD)/%: client/tool_main.c $(LIBCLIENT) client/*.h \
  tools/usage/*.h $(BUILD)/paths
	$(CC) $(ALL_CFLAGS) -Iclient -Itools/usage -fPIE -pie \
	  -DVOUCH_TOOL_NAME='"$*"' -DVOUCH_TOOL_USAGE='"$*.h"' \
	  $(ALL_LDFLAGS) -o $@ $< $(LIBCLIENT)

$(BUILD)/vouchctl: $(BUILD)/tools/vouchctl.o $(LIBVOUCH) $(LIBCLIENT)
	$(CC) -pie $(ALL_LDFLAGS) -o $@ $< $(LIBVOUCH) $(LIBCLIENT) $(LIBS)

$(BUILD)/tools/%.o: tools/%.c core/*.h client/*.h tools/usage/*.h \
  $(BUILD)/paths | $(BUILD)/tools
	$(CC) $(ALL_CFLAGS) -Iclient -fPIE -c -o $@ $<

$(LIBVOUCH): $(CORE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

# -Bsymbolic: the core's calls to its own functions bind inside it, so
# that nothing else loaded into a PAM host can interpose a vouch_*
# function (and the loader has fewer symbols to look up).
$(LIBSO): $(LIBSO_OBJ) core/libvouch.map | $(BUILD)/lib
	$(CC) -shared -Wl,-soname,libvouch.so.0 \
	  -Wl,--version-script=core/libvouch.map -Wl,--no-undefined \
	  -Wl,-Bsymbolic $(ALL_LDFLAGS) -o $@ $(LIBSO_OBJ) $(LIBS)

# A module: its object and the client library, exporting pam_sm_* alone;
# it loads libpam and libc only.
$(BUILD)/%.so: $(BUILD)/modules/%.o $(LIBCLIENT) modules/pam_vouch.map
	$(CC) -shared -Wl,--version-script=modules/pam_vouch.map \
	  -Wl,--no-undefined $(ALL_LDFLAGS) -o $@ $< $(LIBCLIENT) -lpam

$(BUILD)/%: $(BUILD)/tools/%.o $(LIBVOUCH)
	$(CC) -pie $(ALL_LDFLAGS) -o $@ $< $(LIBVOUCH) $(LIBS)

# The delivery helper (libpam-vouch's, beside the modules) links the
# shared core and, alone, the transports and libcurl (modules must never
# load it); so does the unit test of the transports.  The other tools
# link the static core: vouch-account is setuid, and vouch-tools is a
# package of its own that libpam-vouch depends on.
CURL_LIBS = -lcurl
LINK_HELPER = $(CC) -pie -Wl,--enable-new-dtags $(ALL_LDFLAGS) -o $@ $< \
  $(BUILD)/core/transport.o $(LIBSO) $(LIBS) $(CURL_LIBS)
$(BUILD)/vouch-deliver: $(BUILD)/tools/vouch-deliver.o \
  $(BUILD)/core/transport.o $(LIBSO)
	$(LINK_HELPER) -Wl,-rpath,$(BUILD_RUNPATH)
$(INST)/vouch-deliver: $(BUILD)/tools/vouch-deliver.o \
  $(BUILD)/core/transport.o $(LIBSO) $(BUILD)/paths | $(INST)
	$(LINK_HELPER) -Wl,-rpath,$(PRIVLIBDIR)

$(BUILD)/tests/test_delivery: tests/unit/test_delivery.c $(LIBVOUCH) \
  | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBVOUCH) $(LIBS) \
	  $(CURL_LIBS) -lcmocka

$(BUILD)/tests/test_proto: tests/unit/test_proto.c $(LIBCLIENT) \
  | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Iclient $(ALL_LDFLAGS) -o $@ $< $(LIBCLIENT) \
	  -lcmocka

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBVOUCH) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBVOUCH) $(LIBS) \
	  -lcmocka

# The benchmark's load generator, also a test program (tests/fleet).
$(BUILD)/tests/vouch-load: bench/vouch-load.c $(LIBCLIENT) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Iclient $(ALL_LDFLAGS) -o $@ $< $(LIBCLIENT) \
	  -lpthread

$(BUILD)/tests/%: tests/bin/%.c $(LIBVOUCH) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBVOUCH) $(LIBS) -ldl

$(BUILD)/core $(BUILD)/modules $(BUILD)/tools $(BUILD)/tests $(BUILD)/lib \
$(INST) $(BUILD)/client $(BUILD)/daemon $(BUILD)/worker $(BUILD)/web:
	mkdir -p $@

# Module and tool objects are kept: the installed variants link them again
# when the paths change.
.SECONDARY: $(MODULE_SRC:modules/%.c=$(BUILD)/modules/%.o) \
            $(TOOL_SRC:tools/%.c=$(BUILD)/tools/%.o)

# ---------------------------------------------------------------- tests

deps:
	@sh tests/deps.sh

# Runs the suite against what $(BUILD) holds; test-pg runs it again with
# every test's store in PostgreSQL (a throwaway cluster a test).
test: tests
	sh tests/run.sh $(BUILD) $(if $(SAN),san,plain)
test-pg: tests
	sh tests/run.sh $(BUILD) $(if $(SAN),san,plain) postgresql

check-build:
	$(MAKE) WERROR=1 BUILD=build/check test test-pg
check-san:
	$(MAKE) WERROR=1 SAN=1 BUILD=build/san test

check: deps
	$(MAKE) check-build
	$(MAKE) check-san

demo: deps
	$(MAKE) BUILD=build/demo all tests
	sh tests/demo.sh build/demo

# Benchmarks (bench/run.sh): figures printed as tables and JSON, never a
# failing test.  Builds its own optimised tree in $(BENCH_BUILD).
BENCH_BUILD ?= build/bench
bench:
	$(MAKE) BUILD=$(BENCH_BUILD) all $(BENCH_BUILD)/tests/pamdrive
	sh bench/run.sh $(BENCH_BUILD)

# ----------------------------------------------------------------- fuzz

# libFuzzer targets fuzz/fuzz_*.c, built with clang, ASan and UBSan in
# their own directory (never mixed with the gcc objects).  `make fuzz`
# runs each for FUZZ_SECONDS on a copy of its seed corpus, then replays
# fuzz/regress/TARGET/ (crashes found before).
FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -std=c11 -g -O1 -fno-omit-frame-pointer $(WARN) \
                -Wno-string-concatenation \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC     := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZERS      := $(FUZZ_SRC:fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_OBJ     := $(CORE_SRC:%.c=$(FUZZ_BUILD)/%.o)

fuzz-build: $(FUZZERS)

fuzz: fuzz-build
	sh fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

$(FUZZ_BUILD)/core/%.o: core/%.c core/*.h | $(FUZZ_BUILD)/core
	$(FUZZ_CC) $(VCPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	  -c -o $@ $<

$(FUZZ_BUILD)/libvouch.a: $(FUZZ_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

# The daemon's request parser: the frame code and daemon/request.c.
$(FUZZ_BUILD)/fuzz_request: fuzz/fuzz_request.c fuzz/fuzz.h \
  client/proto.c daemon/request.c client/*.h daemon/*.h core/*.h \
  | $(FUZZ_BUILD)/core
	$(FUZZ_CC) $(VCPPFLAGS) -Iclient -Idaemon $(FUZZ_CFLAGS) \
	  -fsanitize=fuzzer -o $@ $< client/proto.c daemon/request.c

# vouch-web's form parser: web/form.c and web/text.c (and libsodium).
$(FUZZ_BUILD)/fuzz_form: fuzz/fuzz_form.c fuzz/fuzz.h web/form.c web/text.c \
  web/*.h client/*.h | $(FUZZ_BUILD)/core
	$(FUZZ_CC) $(VCPPFLAGS) -Iclient -Iweb $(FUZZ_CFLAGS) \
	  -fsanitize=fuzzer -o $@ $< web/form.c web/text.c -lsodium

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_BUILD)/libvouch.a
	$(FUZZ_CC) $(VCPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	  $(FUZZ_BUILD)/libvouch.a $(LIBS) $(CURL_LIBS)

$(FUZZ_BUILD)/core:
	mkdir -p $@

# -------------------------------------------------------------- install

# Message templates, one directory a language (conf/templates/LANG).
TEMPLATE_LANGS := $(patsubst conf/templates/%/,%, \
                    $(wildcard conf/templates/*/))

install: all
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -d $(DESTDIR)$(PRIVLIBDIR)
	install -m 0644 $(LIBSO) $(DESTDIR)$(PRIVLIBDIR)/
	install -m 0644 $(MODULES) $(DESTDIR)$(PAMDIR)/
	install -m 0755 $(ADMIN_TOOLS) $(VOUCHD) $(VOUCH_WEB) $(DESTDIR)$(SBINDIR)/
	$(if $(MEMBER_TOOLS),install -m 0755 $(MEMBER_TOOLS) $(DESTDIR)$(BINDIR)/)
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(INST)/vouch-deliver $(BUILD)/vouch-store-init \
	  $(DESTDIR)$(LIBEXECDIR)/
	sed -e 's#/usr/local/libexec/vouch#$(LIBEXECDIR)#' \
	  -e 's#/usr/local/share/vouch#$(DATADIR)#' \
	  -e 's#/etc/vouch/#$(SYSCONFDIR)/vouch/#' \
	  -e 's#/var/lib/vouch/#$(LOCALSTATEDIR)/lib/vouch/#' \
	  conf/vouch.conf >$(DESTDIR)$(DATADIR)/vouch.conf
	chmod 0644 $(DESTDIR)$(DATADIR)/vouch.conf
	for l in $(TEMPLATE_LANGS); do \
	  install -d $(DESTDIR)$(DATADIR)/templates/$$l && \
	  install -m 0644 conf/templates/$$l/*.txt \
	    $(DESTDIR)$(DATADIR)/templates/$$l/ || exit 1; \
	done
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(MODULES:$(BUILD)/%=$(DESTDIR)$(PAMDIR)/%)
	rm -f $(ADMIN_TOOLS:$(BUILD)/%=$(DESTDIR)$(SBINDIR)/%)
	rm -f $(DESTDIR)$(SBINDIR)/vouchd $(DESTDIR)$(SBINDIR)/vouch-web
	rm -f $(MEMBER_TOOLS:$(BUILD)/%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(HELPER_TOOLS:$(BUILD)/%=$(DESTDIR)$(LIBEXECDIR)/%)
	rm -f $(DESTDIR)$(PRIVLIBDIR)/libvouch.so.0
	-rmdir $(DESTDIR)$(PRIVLIBDIR) $(DESTDIR)$(LIBEXECDIR) 2>/dev/null
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(patsubst man/%.1,$(DESTDIR)$(MANDIR)/man1/%.1,$(wildcard man/*.1))
	rm -f $(patsubst man/%.5,$(DESTDIR)$(MANDIR)/man5/%.5,$(wildcard man/*.5))
	rm -f $(patsubst man/%.8,$(DESTDIR)$(MANDIR)/man8/%.8,$(wildcard man/*.8))

# ------------------------------------------------------------ packages

# The source tree (without build/ and .git) is copied to $(DEBDIR)/src
# and built there, so that the package build's clean step never touches a
# working build directory and the .debs land in $(DEBDIR)/ (where
# dpkg-buildpackage puts them: the parent of the tree it builds).
DEBDIR ?= build/deb

deb:
	rm -rf $(DEBDIR)
	mkdir -p $(DEBDIR)/src
	tar -cf - --exclude=./build --exclude=./.git . | \
	  tar -xf - -C $(DEBDIR)/src
	cd $(DEBDIR)/src && dpkg-buildpackage -us -uc -b
	rm -rf $(DEBDIR)/src
	@ls -1 $(DEBDIR)/*.deb

# ----------------------------------------------------------------- lint

lint:
	@sh tests/lint.sh

clean:
	rm -rf build
