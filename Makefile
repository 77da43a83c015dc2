# vouch - build, test, demo and install.
#
#   make                  build everything into $(BUILD)/
#   make check            install missing build/test packages (Debian, as
#                         root), build with -Werror and run every test, then
#                         build with AddressSanitizer + UBSan and run again
#   make demo             a self-contained demo of the main flow
#   make install          DESTDIR, PREFIX, PAMDIR as in SPEC section 1
#   make lint             clang-format check and banned functions
#
# The Makefile honours CC, CFLAGS, CPPFLAGS, LDFLAGS and is safe with -j.

PREFIX        ?= /usr/local
PAMDIR        ?= $(PREFIX)/lib/security
BINDIR        ?= $(PREFIX)/bin
SBINDIR       ?= $(PREFIX)/sbin
LIBEXECDIR    ?= $(PREFIX)/libexec/vouch
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

VCPPFLAGS := -Icore -D_GNU_SOURCE \
  -DVOUCH_CONF_PATH='"$(SYSCONFDIR)/vouch/vouch.conf"' \
  -DVOUCH_LIBEXECDIR='"$(LIBEXECDIR)"' \
  -DVOUCH_DATADIR='"$(DATADIR)"' \
  -DVOUCH_STATEDIR='"$(LOCALSTATEDIR)/lib/vouch"'
VCFLAGS   := -std=c11 -fPIC -fvisibility=hidden -fstack-protector-strong \
             $(WARN) $(SANFLAGS)
ALL_CFLAGS  = $(VCPPFLAGS) $(CPPFLAGS) $(VCFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS        = -lsodium -lsqlite3 -lpam

CORE_SRC    := $(sort $(wildcard core/*.c))
CORE_OBJ    := $(CORE_SRC:%.c=$(BUILD)/%.o)
LIBVOUCH    := $(BUILD)/libvouch.a
MODULE_SRC  := $(sort $(wildcard modules/pam_vouch_*.c))
MODULES     := $(MODULE_SRC:modules/%.c=$(BUILD)/%.so)
TOOL_SRC    := $(sort $(wildcard tools/*.c))
TOOLS       := $(TOOL_SRC:tools/%.c=$(BUILD)/%)
# Where each tool goes: the delivery helper into LIBEXECDIR, the member's
# own tool into BINDIR (setuid root, like passwd), the rest into SBINDIR.
MEMBER_TOOLS := $(filter $(BUILD)/vouch-account,$(TOOLS))
HELPER_TOOLS := $(filter $(BUILD)/vouch-deliver,$(TOOLS))
ADMIN_TOOLS  := $(filter-out $(MEMBER_TOOLS) $(HELPER_TOOLS),$(TOOLS))
UNIT_SRC    := $(sort $(wildcard tests/unit/test_*.c))
UNITS       := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTBIN_SRC := $(sort $(wildcard tests/bin/*.c))
TESTBINS    := $(TESTBIN_SRC:tests/bin/%.c=$(BUILD)/tests/%)

.PHONY: all tests check check-build check-san test deps demo install \
        uninstall lint clean bench

all: $(LIBVOUCH) $(MODULES) $(TOOLS)

tests: all $(UNITS) $(TESTBINS)

$(BUILD)/core/%.o: core/%.c core/*.h | $(BUILD)/core
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/modules/%.o: modules/%.c core/*.h | $(BUILD)/modules
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tools/%.o: tools/%.c core/*.h | $(BUILD)/tools
	$(CC) $(ALL_CFLAGS) -fPIE -c -o $@ $<

$(LIBVOUCH): $(CORE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.so: $(BUILD)/modules/%.o $(LIBVOUCH) modules/pam_vouch.map
	$(CC) -shared -Wl,--version-script=modules/pam_vouch.map \
	  -Wl,--no-undefined $(ALL_LDFLAGS) -o $@ $< $(LIBVOUCH) $(LIBS)

$(BUILD)/%: $(BUILD)/tools/%.o $(LIBVOUCH)
	$(CC) -pie $(ALL_LDFLAGS) -o $@ $< $(LIBVOUCH) $(LIBS)

# The delivery helper alone links libcurl (modules must never load it);
# so does the unit test of its transports.
CURL_LIBS = -lcurl
$(BUILD)/vouch-deliver: $(BUILD)/tools/vouch-deliver.o $(LIBVOUCH)
	$(CC) -pie $(ALL_LDFLAGS) -o $@ $< $(LIBVOUCH) $(LIBS) $(CURL_LIBS)

$(BUILD)/tests/test_delivery: tests/unit/test_delivery.c $(LIBVOUCH) \
  | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBVOUCH) $(LIBS) \
	  $(CURL_LIBS) -lcmocka

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBVOUCH) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBVOUCH) $(LIBS) \
	  -lcmocka

$(BUILD)/tests/%: tests/bin/%.c $(LIBVOUCH) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBVOUCH) $(LIBS) -ldl

$(BUILD)/core $(BUILD)/modules $(BUILD)/tools $(BUILD)/tests:
	mkdir -p $@

# ---------------------------------------------------------------- tests

deps:
	@sh tests/deps.sh

# Runs the suite against what $(BUILD) holds.
test: tests
	sh tests/run.sh $(BUILD) $(if $(SAN),san,plain)

check-build:
	$(MAKE) WERROR=1 BUILD=build/check test
check-san:
	$(MAKE) WERROR=1 SAN=1 BUILD=build/san test

check: deps
	$(MAKE) check-build
	$(MAKE) check-san

demo: deps
	$(MAKE) BUILD=build/demo all tests
	sh tests/demo.sh build/demo

bench:
	@echo "bench: no benchmarks yet (see bench/README)"

# -------------------------------------------------------------- install

# Message templates, one directory a language (conf/templates/LANG).
TEMPLATE_LANGS := $(patsubst conf/templates/%/,%, \
                    $(wildcard conf/templates/*/))

install: all
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(MODULES) $(DESTDIR)$(PAMDIR)/
	install -m 0755 $(ADMIN_TOOLS) $(DESTDIR)$(SBINDIR)/
	$(if $(MEMBER_TOOLS),install -m 4755 $(MEMBER_TOOLS) $(DESTDIR)$(BINDIR)/)
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(HELPER_TOOLS) $(DESTDIR)$(LIBEXECDIR)/
	install -m 0644 conf/vouch.conf $(DESTDIR)$(DATADIR)/vouch.conf
	for l in $(TEMPLATE_LANGS); do \
	  install -d $(DESTDIR)$(DATADIR)/templates/$$l && \
	  install -m 0644 conf/templates/$$l/*.txt \
	    $(DESTDIR)$(DATADIR)/templates/$$l/ || exit 1; \
	done
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(MODULES:$(BUILD)/%=$(DESTDIR)$(PAMDIR)/%)
	rm -f $(ADMIN_TOOLS:$(BUILD)/%=$(DESTDIR)$(SBINDIR)/%)
	rm -f $(MEMBER_TOOLS:$(BUILD)/%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(HELPER_TOOLS:$(BUILD)/%=$(DESTDIR)$(LIBEXECDIR)/%)
	rm -rf $(DESTDIR)$(DATADIR)

# ----------------------------------------------------------------- lint

lint:
	@sh tests/lint.sh

clean:
	rm -rf build
