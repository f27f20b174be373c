# Builds the libFuzzer targets: `make -f tests/fuzz/build.mk` from the repository root (run.sh
# does this). Each target links the server's modules (everything but main.c), compiled once
# with the fuzzer's coverage instrumentation and ASan+UBSan, the same flags as the project.
BUILD    := build/fuzz
PKGS     := libmicrohttpd jansson libmongoc-1.0 libbson-1.0 openssl zlib
LIB_SRCS := $(filter-out server/main.c,$(wildcard server/*.c))
HEADERS  := $(wildcard server/*.h)
TARGETS  := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
            -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual -Wundef
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined
CFLAGS   = -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer $(WARNINGS) \
            $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS)))
LDLIBS   = $(shell pkg-config --libs $(PKGS)) -lpthread

OBJS := $(patsubst server/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))

all: $(addprefix $(BUILD)/,$(TARGETS))

$(BUILD)/obj/%.o: server/%.c $(HEADERS) tests/fuzz/build.mk
	@mkdir -p $(dir $@)
	clang $(CFLAGS) $(SANITIZE) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(OBJS)
	clang $(CFLAGS) -Iserver $(SANITIZE) -fsanitize=fuzzer -o $@ $< $(OBJS) $(LDLIBS)

.PHONY: all
.SECONDARY: $(OBJS)
