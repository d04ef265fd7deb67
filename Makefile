# glimpse — build, test, bench, install.
#
#   make            build the C core (build/libglimpse.a) and the Lua module
#                   (build/glimpse/core.so)
#   make setup      install Debian packages, build, fetch models
#   make test       C tests + busted specs; ends with "N passed, N failed"
#   make asan-test  the same under AddressSanitizer + UBSan
#   make bench      benchmarks against peers (bench/README.md)
#   make -s env     print LUA_PATH / LUA_CPATH exports for this checkout
#
# LUA=lua5.4 by default; LuaRocks passes LUA_INCDIR / INST_* variables.

LUA         ?= lua5.4
LUA_VERSION ?= 5.4
PKG_CONFIG  ?= pkg-config
# Fixture generators need Debian's Python (numpy, torch, cv2, PIL).
PYTHON      ?= /usr/bin/python3
BUSTED      ?= /usr/bin/busted
BUILD       ?= build

LUA_PC      ?= lua$(LUA_VERSION)
ifdef LUA_INCDIR
LUA_CFLAGS  ?= -I$(LUA_INCDIR)
else
LUA_CFLAGS  ?= $(shell $(PKG_CONFIG) --cflags $(LUA_PC) 2>/dev/null)
endif
DEP_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libpng libcurl openblas 2>/dev/null)
DEP_LIBS    := $(shell $(PKG_CONFIG) --libs libpng libcurl openblas 2>/dev/null) -ljpeg -lm -lpthread

# Kernels are built for the machine that builds them (LuaRocks builds from
# source on the target). Set ARCH_FLAGS= for a portable build.
ARCH_FLAGS  ?= -march=native
OPT_FLAGS   ?= -O2 -g
WARN_FLAGS  ?= -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CFLAGS      ?=
# Extra flags the inference engine's kernels need (threading, vector ISA).
ENGINE_FLAGS ?=
CFLAGS_ALL  := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT_FLAGS) $(ARCH_FLAGS) \
               $(WARN_FLAGS) -fPIC -fvisibility=hidden $(DEP_CFLAGS) $(ENGINE_FLAGS) $(CFLAGS)
LDFLAGS     ?=

CORE_SRC    := $(sort $(shell find csrc -name '*.c' -not -path 'csrc/lua/*' \
                 -not -path 'csrc/test/*' -not -path 'csrc/fuzz/*' -not -path 'csrc/tools/*'))
LUA_SRC     := $(sort $(wildcard csrc/lua/*.c))
TEST_SRC    := $(sort $(wildcard csrc/test/test_*.c))
HEADERS     := $(shell find csrc -name '*.h' -o -name '*.def')

CORE_OBJ    := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
LUA_OBJ     := $(LUA_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN    := $(TEST_SRC:csrc/test/%.c=$(BUILD)/test/%)

LIB         := $(BUILD)/libglimpse.a
MODULE      := $(BUILD)/glimpse/core.so
# Lexicons compiled from Debian's WordNet and jieba dictionaries, loaded by
# glimpse.nlp from beside core.so.
LEXICON_DIR := $(BUILD)/glimpse/lexicon
LEXICONS    := $(LEXICON_DIR)/en.lua $(LEXICON_DIR)/zh.lua

.PHONY: all setup deps models test test-c test-lua asan-test bench env install clean eval fixtures fixture-deps fixtures-onnx-large ort ort-refs fuzz

all: $(LIB) $(MODULE) $(LEXICONS)

$(LEXICON_DIR)/en.lua: tools/build_lexicon_en.lua
	@mkdir -p $(dir $@)
	$(LUA) tools/build_lexicon_en.lua $@

$(LEXICON_DIR)/zh.lua: tools/build_lexicon_zh.lua
	@mkdir -p $(dir $@)
	$(LUA) tools/build_lexicon_zh.lua $@

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/obj/csrc/lua/%.o: csrc/lua/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LUA_CFLAGS) -c $< -o $@

# Archives and the module are written under a temporary name and renamed,
# so that a concurrent link never sees a half-written file.
$(LIB): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@.tmp$$$$ && $(AR) rcs $@.tmp$$$$ $^ && mv -f $@.tmp$$$$ $@

$(MODULE): $(LUA_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@.tmp$$$$ $(LUA_OBJ) $(LIB) $(LDFLAGS) $(DEP_LIBS) && mv -f $@.tmp$$$$ $@

$(BUILD)/test/%: csrc/test/%.c $(LIB) $(wildcard csrc/test/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Icsrc -o $@ $< $(LIB) $(LDFLAGS) $(DEP_LIBS)

# ---- setup ---------------------------------------------------------------
DEBIAN_PACKAGES := build-essential pkg-config lua5.4 liblua5.4-dev libopenblas-dev \
    libpng-dev libjpeg62-turbo-dev zlib1g-dev libcurl4-openssl-dev ca-certificates \
    lua-cjson lua-lpeg lua-busted luarocks wordnet-base python3-jieba python3

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

setup: deps
	$(MAKE) all
	-$(MAKE) models

models:
	$(LUA) tools/fetch_models.lua

# ---- tests ---------------------------------------------------------------
test: all $(TEST_BIN)
	@$(LUA) tools/run_tests.lua --build $(BUILD) --lua $(LUA) --busted $(BUSTED) $(TEST_BIN)

test-c: $(TEST_BIN)
	@$(LUA) tools/run_tests.lua --build $(BUILD) --no-specs $(TEST_BIN)

test-lua: all
	@$(LUA) tools/run_tests.lua --build $(BUILD) --lua $(LUA) --busted $(BUSTED)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_RT    = $(shell $(CC) -print-file-name=libasan.so)
asan-test:
	$(MAKE) BUILD=build-asan OPT_FLAGS="-O1 -g" CFLAGS="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" all \
	  $(TEST_SRC:csrc/test/%.c=build-asan/test/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1 \
	 LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp:print_suppressions=0 \
	 GLIMPSE_ASAN=1 LD_PRELOAD="$(ASAN_RT)" \
	 $(LUA) tools/run_tests.lua --build build-asan --lua $(LUA) --busted $(BUSTED) \
	   $(TEST_SRC:csrc/test/%.c=build-asan/test/%)

bench: all
	$(LUA) bench/run.lua

eval: all
	$(LUA) tools/eval_entities.lua

# Regenerating the committed fixtures needs Debian's Python stack and fonts
# (never needed by the tests themselves): make fixture-deps, then make fixtures.
FIXTURE_PACKAGES := python3-numpy python3-torch python3-torchvision python3-onnx python3-opencv \
    python3-pil fonts-dejavu-core fonts-noto-cjk fonts-wqy-microhei

fixture-deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	missing=$$(for p in $(FIXTURE_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

fixtures:
	for f in tools/fixtures/*.py; do $(PYTHON) $$f || exit 1; done

# The torchvision models of spec/nn/onnx_torch_spec.lua and the ONNX bench
# (about 72 MB, not committed) into build/onnx-models/.
fixtures-onnx-large:
	$(PYTHON) tools/fixtures/onnx_torch.py --large

# ONNX Runtime (npm onnxruntime-node, CPU build; needs node and npm) into
# build/ort, and the PaddleOCR reference digests of spec/fixtures/onnx/.
ort:
	tools/ort/install.sh build/ort

ort-refs: all ort
	LUA_PATH="$(CURDIR)/lua/?.lua;$(CURDIR)/lua/?/init.lua;;" LUA_CPATH="$(CURDIR)/$(BUILD)/?.so;;" \
	  ORT_DIR=build/ort $(LUA) tools/ort/paddle_refs.lua

# libFuzzer entry points for every untrusted parser (needs clang).
fuzz:
	csrc/fuzz/build.sh

# ---- environment / install -----------------------------------------------
env:
	@echo 'export LUA_PATH="$(CURDIR)/lua/?.lua;$(CURDIR)/lua/?/init.lua;;"'
	@echo 'export LUA_CPATH="$(CURDIR)/$(BUILD)/?.so;;"'

# LuaRocks (build_type = "make") calls `make install` with these set.
INST_LIBDIR ?= $(BUILD)/install/lib
INST_LUADIR ?= $(BUILD)/install/lua
INST_BINDIR ?= $(BUILD)/install/bin
install: all
	mkdir -p $(INST_LIBDIR)/glimpse $(INST_LUADIR) $(INST_BINDIR)
	cp $(MODULE) $(INST_LIBDIR)/glimpse/core.so
	cp -R $(LEXICON_DIR) $(INST_LIBDIR)/glimpse/
	cp -R lua/glimpse $(INST_LUADIR)/
	if [ -d models ]; then mkdir -p $(INST_LUADIR)/glimpse/models && cp -R models/. $(INST_LUADIR)/glimpse/models/; fi
	cp bin/glimpse $(INST_BINDIR)/glimpse

clean:
	rm -rf build build-asan
