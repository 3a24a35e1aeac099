#!/bin/sh
# Installs into a scratch prefix and builds the README example against the installed headers
# and library twice: through pkg-config and through the CMake package.
set -eu
build="$1"; src="$2"; example="$3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig:$tmp/prefix/lib/x86_64-linux-gnu/pkgconfig"
cc -o "$tmp/ex_pc" "$example" $(pkg-config --cflags --libs tenon)
LD_LIBRARY_PATH="$(pkg-config --variable=libdir tenon)" "$tmp/ex_pc" >/dev/null
mkdir "$tmp/proj"
cp "$example" "$tmp/proj/example.c"
cat > "$tmp/proj/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(uses_tenon C)
find_package(tenon REQUIRED)
add_executable(example example.c)
target_link_libraries(example PRIVATE tenon::static)
CM
cmake -S "$tmp/proj" -B "$tmp/proj/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/proj/build" >/dev/null
"$tmp/proj/build/example" >/dev/null
echo "check_install: 2 passed, 0 failed"
