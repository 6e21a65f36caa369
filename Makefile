# adsig: one static library, one binary per cmd/*.c.  GNU make.
.SUFFIXES:

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
PKGS       := jansson zlib libsodium
CSV_LIBS   ?= -lcsv                # libcsv ships no .pc file
CC         ?= cc

CFLAGS     ?= -O2 -g
WARN       := -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow \
              -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS   += -D_DEFAULT_SOURCE -Ilib -MMD -MP \
              $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS     += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) $(CSV_LIBS) -lm -lpthread

ifeq ($(SANITIZE),1)
CFLAGS     += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined
LDFLAGS    += -fsanitize=address,undefined
endif

# Rebuild everything when the flags change (plain <-> SANITIZE=1).
FLAGS_NOW  := $(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS)
FLAGS_OLD  := $(shell cat .build-flags 2>/dev/null)
ifneq ($(FLAGS_NOW),$(FLAGS_OLD))
$(shell echo '$(FLAGS_NOW)' > .build-flags)
endif

LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:.c=.o)
LIB      := lib/libadsig.a
BINS     := $(patsubst cmd/%.c,bin/%,$(wildcard cmd/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS    := $(patsubst tests/unit/%.c,tests/unit/bin/%,$(UNIT_SRC))
MAN1     := $(wildcard man/man1/*.1)
MAN5     := $(wildcard man/man5/*.5)
MAN7     := $(wildcard man/man7/*.7)

BATS       ?= bats
BATS_FLAGS ?=

all: $(LIB) $(BINS)

lib/%.o: lib/%.c .build-flags
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

bin/%: cmd/%.c $(LIB) .build-flags | bin
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

tests/unit/bin/%: tests/unit/%.c $(LIB) .build-flags | tests/unit/bin
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bin tests/unit/bin:
	mkdir -p $@

.build-flags:
	echo '$(FLAGS_NOW)' > $@

# VALGRIND=1: the unit tests and every tool the bats suite runs go
# through valgrind's memcheck (tests/valgrind); a report at the end lists
# every run with an error or a leak.  Slow: see README.md.
VG_DIR   := $(CURDIR)/build/valgrind
VG_UNIT  := valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --error-exitcode=99
ifeq ($(VALGRIND),1)
UNIT_RUN := ADSIG_UNIT_QUICK=1 $(VG_UNIT)	# a twentieth of the random cases
endif

unit: $(UNITS)
	@fail=0; for t in $(UNITS); do $(UNIT_RUN) $$t || fail=1; done; exit $$fail

# The bats suite, with a closing "bats: N passed, N failed, N skipped".
check: all unit
ifeq ($(VALGRIND),1)
	@sh tests/valgrind wrap "$(VG_DIR)" $(BINS)
	@rc=0; PATH="$(CURDIR)/bin:$$PATH" ADSIG_ROOT="$(CURDIR)" \
	    ADSIG_VALGRIND="$(VG_DIR)/bin" \
	    sh tests/run-bats $(BATS) $(BATS_FLAGS) || rc=$$?; \
	    sh tests/valgrind report "$(VG_DIR)" || rc=1; exit $$rc
else
	@PATH="$(CURDIR)/bin:$$PATH" ADSIG_ROOT="$(CURDIR)" \
	    sh tests/run-bats $(BATS) $(BATS_FLAGS)
endif

lint:
	@if command -v mandoc >/dev/null 2>&1; then \
	    mandoc -Tlint -Wwarning $(MAN1) $(MAN5) $(MAN7) && echo "lint: man pages clean"; \
	else echo "lint: mandoc not installed, man pages not checked"; fi

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	cp $(BINS) $(DESTDIR)$(BINDIR)/
	cp $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	if [ -n "$(MAN5)" ]; then cp $(MAN5) $(DESTDIR)$(MANDIR)/man5/; fi
	cp $(MAN7) $(DESTDIR)$(MANDIR)/man7/

DEB_PKGS := build-essential pkg-config libcsv-dev libjansson-dev libsodium-dev \
            zlib1g-dev bats bats-support bats-assert

# Installs what is missing when run as root; otherwise says what to install.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || \
	    missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -ne 0 ]; then \
	    echo "deps: missing Debian packages:$$missing"; \
	    echo "deps: run 'sudo apt-get install$$missing' (or 'sudo make deps')"; exit 1; fi; \
	echo "deps: installing$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	for i in 1 2 3; do apt-get update -q && apt-get install -y -q $$missing && exit 0; \
	    echo "deps: apt-get failed, retrying in 5 s"; sleep 5; done; exit 1

demo: deps
	@$(MAKE) --no-print-directory all
	@sh examples/demo.sh

# Every bench/*.sh at the sizes of the issues, one report written
# atomically to BENCH_OUT; BENCH_SMALL=1 only checks that they all run.
BENCH_OUT ?= bench/RESULTS.md
bench: all
	@ADSIG_BENCH_SMALL=$(BENCH_SMALL) sh bench/report.sh $(BENCH_OUT)

# libFuzzer harnesses (clang): each one is built with the library's
# sources and run for FUZZ_SECONDS from its seed corpus in testdata/fuzz/.
# A crash leaves its input in build/fuzz/ and fails the target.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS      := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

FUZZ_FLAGS   := -g -O1 -std=c11 -D_DEFAULT_SOURCE -Ilib $(WARN) \
	    -fno-sanitize-recover=undefined \
	    $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
FUZZ_LIB     := build/fuzz/libadsig.a

# The library is compiled once for all harnesses (fuzzer-no-link).
build/fuzz/obj/%.o: lib/%.c
	@mkdir -p build/fuzz/obj
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined \
	    -c -o $@ $<

$(FUZZ_LIB): $(patsubst lib/%.c,build/fuzz/obj/%.o,$(LIB_SRC))
	rm -f $@
	$(AR) rcs $@ $^

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined \
	    -o $@ $< $(FUZZ_LIB) $(LDLIBS)

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$${f##*/}; \
	    mkdir -p build/fuzz/corpus-$$n; \
	    echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	    (cd build/fuzz && ./$$n -max_total_time=$(FUZZ_SECONDS) \
	        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	        corpus-$$n ../../testdata/fuzz/$$n 2>&1 | \
	        grep -E '^(stat::number_of_executed_units|==.*ERROR|SUMMARY)' ) ; \
	    for c in build/fuzz/crash-* build/fuzz/leak-* build/fuzz/timeout-* \
	        build/fuzz/oom-*; do [ -e "$$c" ] && { \
	        echo "fuzz: $$n failed on $$c"; exit 1; }; done; \
	    done; echo "fuzz: all harnesses ran clean"

clean:
	rm -rf bin tests/unit/bin lib/*.o lib/*.d $(LIB) .build-flags demo-out build

.PHONY: all unit check lint install deps demo bench fuzz clean

-include $(LIB_OBJ:.o=.d) $(BINS:=.d) $(UNITS:=.d)
