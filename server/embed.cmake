# Turns a file into a C array, so that the server carries its contract
# (openapi.yaml) without reading files at run time.
# Usage: cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}" "#include <stddef.h>\nconst char ${NAME}[] = {\n${bytes}0};\nconst size_t ${NAME}_len = ${len};\n")
